"""The student's self-check: `nbgrader validate` on a released notebook."""
import subprocess
import sys

import pytest

from grading import pipeline

ASSIGNMENTS = pipeline.assignments()


def validate(path):
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(path)],
                          cwd=path.parent, env=pipeline._env(), capture_output=True, text=True,
                          timeout=600)
    return proc.stdout + proc.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_validate_reports_success_with_solution_and_failures_when_blank(assignment, tmp_path):
    for name in pipeline.notebook_names(assignment):
        release_nb = pipeline.read_notebook(pipeline.REPO / "release" / assignment / name)
        source_nb = pipeline.read_notebook(pipeline.REPO / "source" / assignment / name)
        pipeline.submit(tmp_path, "solved", ".", {name: pipeline.fill_answers(
            release_nb, pipeline.solution_sources(source_nb))})
        pipeline.submit(tmp_path, "blank", ".", {name: release_nb})
        solved = tmp_path / "submitted" / "solved" / name
        blank = tmp_path / "submitted" / "blank" / name
        assert "Success! Your notebook passes all the tests." in validate(solved)
        out = validate(blank)
        assert "Success!" not in out
        assert "The following cell failed" in out and "NotImplementedError" in out
