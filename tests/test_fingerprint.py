"""grading/fingerprint.py: a grade is reused only while nothing it depends on has changed.

The last test is the whole story: edit a test helper in a copy of ``common`` and re-run
``grade-class`` with that copy: the submissions are regraded and their grades change.
"""
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

import common
import grading
from grading import fingerprint, simulate
from grading.classroom import STATE
from grading.course import Course, nbgrader_environment


def _packages(dest):
    """A copy of ``common`` and ``grading`` in ``dest`` (to be put first on PYTHONPATH)."""
    for package in (common, grading):
        shutil.copytree(Path(package.__file__).parent, dest / package.__name__,
                        ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def test_the_fingerprint_covers_every_package_file_and_the_course_config(tmp_path, monkeypatch):
    course = Course.create(tmp_path / "course", [])
    base = fingerprint.grader_fingerprint(course)
    assert fingerprint.grader_fingerprint(course) == base, "the same grader, the same hash"
    copy = _packages(tmp_path / "pkgs")
    monkeypatch.setattr(fingerprint, "PACKAGES", tuple(
        SimpleNamespace(__name__=name, __file__=str(copy / name / "__init__.py"))
        for name in ("common", "grading")))
    assert fingerprint.grader_fingerprint(course) == base, "a copy hashes as the original"
    seen = {base}
    for relative in ("common/gradient_check.py", "grading/preflight.py", "common/new_helper.py"):
        path = copy / relative
        path.write_text((path.read_text() if path.exists() else "") + "\n# changed\n")
        seen.add(fingerprint.grader_fingerprint(course))
    with open(course.config_path, "a") as f:
        f.write("\nc.Execute.timeout = 5\n")
    seen.add(fingerprint.grader_fingerprint(course))
    assert len(seen) == 5, "each change gives a new fingerprint"


def test_input_hash_follows_the_submission_and_the_source(tmp_path):
    course = Course.create(tmp_path / "course", ["10_dropout"])
    course.submit("ann", "10_dropout", {"10_dropout.ipynb": "{}"})
    first = fingerprint.input_hash(course, "10_dropout", "ann", "grader")
    assert fingerprint.input_hash(course, "10_dropout", "ann", "grader") == first
    assert fingerprint.input_hash(course, "10_dropout", "ann", "other grader") != first
    course.submit("ann", "10_dropout", {"10_dropout.ipynb": "{ }"})
    second = fingerprint.input_hash(course, "10_dropout", "ann", "grader")
    assert second != first
    (course.source("10_dropout") / "data.csv").write_text("1,2\n")
    assert fingerprint.input_hash(course, "10_dropout", "ann", "grader") != second


THRESHOLD = re.compile(r"^DEFAULT_THRESHOLD = .*$", re.MULTILINE)


@pytest.mark.xdist_group("classroom")
def test_a_changed_test_helper_regrades_and_changes_the_grades(tmp_path):
    assignment = "04_layer_classes"  # its tests call common.gradient_check.check_layer
    personas = ["solution-1", "blank-1"]
    course = simulate.make_class(tmp_path / "course", [assignment], personas=personas)
    packages = _packages(tmp_path / "pkgs")
    env = {**nbgrader_environment(), "PYTHONPATH": str(packages)}

    def grade_class():
        subprocess.run([sys.executable, "-m", "grading", "grade-class", "--course",
                        str(course.root), "--jobs", "2", assignment], env=env, check=True,
                       cwd=tmp_path,  # not the repository: `-m` puts the working folder first
                       capture_output=True, timeout=900)
        grades = pd.read_csv(course.root / "reports" / "grades.csv").set_index("student")
        states = {p.stem: p.stat().st_mtime_ns
                  for p in (course.root / STATE / "state" / assignment).glob("*.json")}
        return grades.points.to_dict(), grades.max_points.max(), states

    points, top, states = grade_class()
    assert points == {"solution-1": top, "blank-1": 0}
    again, _, unchanged = grade_class()
    assert again == points and unchanged == states, "an unchanged grader reuses the grades"

    helper = packages / "common" / "gradient_check.py"
    text = helper.read_text()
    assert THRESHOLD.search(text), "the test expects common.gradient_check.DEFAULT_THRESHOLD"
    # every gradient now "fails" its check: a stricter test helper
    helper.write_text(THRESHOLD.sub("DEFAULT_THRESHOLD = -1.0", text))
    after, _, regraded = grade_class()
    assert all(regraded[s] != states[s] for s in personas), "every submission was regraded"
    assert after["solution-1"] < top, "the changed helper changed the grade"
    state = json.loads((course.root / STATE / "state" / assignment / "solution-1.json").read_text())
    assert sum(sum(nb.values()) for nb in state["scores"].values()) == after["solution-1"]
