"""The student's self-check: `nbgrader validate` on the released notebooks.

All notebooks go to one `nbgrader validate` call per case (one process start, not one per
notebook); the output is split per notebook by the "Validating '<path>'" lines nbgrader logs.
"""
import re
import subprocess
import sys

import pytest

from grading import cells
from grading.course import REPO, nbgrader_environment, repository

NOTEBOOKS = [(a, name) for a in repository().assignments() for name in repository().notebook_names(a)]


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    root = tmp_path_factory.mktemp("validate")
    paths = {"solved": [], "blank": []}
    for assignment, name in NOTEBOOKS:
        release_nb = cells.read(REPO / "release" / assignment / name)
        source_nb = cells.read(REPO / "source" / assignment / name)
        solved = cells.fill_answers(release_nb, cells.solution_sources(source_nb))
        for case, nb in (("solved", solved), ("blank", release_nb)):
            path = cells.write(nb, root / case / assignment / name)
            paths[case].append(path)
    out = {}
    for case, files in paths.items():
        proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", *map(str, files)],
                              cwd=root, env={**nbgrader_environment(), "PYTHONUNBUFFERED": "1"},
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=1800)
        parts = re.split(r"\[ValidateApp \| INFO\] Validating '([^']+)'", proc.stdout)
        out[case] = {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}
        assert len(out[case]) == len(files), proc.stdout[-2000:]
    return paths, out


@pytest.mark.parametrize("assignment,name", NOTEBOOKS, ids=[a for a, _ in NOTEBOOKS])
def test_validate_success_with_solution_failures_when_blank(assignment, name, reports):
    paths, out = reports
    solved = next(p for p in paths["solved"] if p.parent.name == assignment)
    blank = next(p for p in paths["blank"] if p.parent.name == assignment)
    assert "Success! Your notebook passes all the tests." in out["solved"][str(solved)]
    report = out["blank"][str(blank)]
    assert "Success!" not in report
    assert "The following cell failed" in report and "NotImplementedError" in report
