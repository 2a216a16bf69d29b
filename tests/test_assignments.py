"""The nbgrader loop for every assignment in source/, with the real nbgrader command line.

Per assignment, one scratch course folder: generate the release, submit the instructor solution,
the blank release and every catalogue entry (tests/catalogue/<assignment>.py), autograde all of
them in one run, then check the scores.
"""
import fcntl
import json
import re
from pathlib import Path

import pandas as pd
import pytest

from grading import catalogue, cells, misconceptions
from grading.course import REPO, repository

ASSIGNMENTS = repository().assignments()


def per_assignment(items=ASSIGNMENTS, key=lambda x: x):
    """Parametrize so that each assignment's tests share one xdist worker (one grading run)."""
    return [pytest.param(x, marks=pytest.mark.xdist_group(key(x)), id=str(x)) for x in items]


_GRADED = {}


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """``graded(assignment)`` -> (course folder, grades DataFrame, catalogue outcomes),
    computed once per assignment (solution, blank and every catalogue entry in one run)."""

    def run(assignment):
        if assignment not in _GRADED:
            workdir = tmp_path_factory.mktemp(assignment)
            try:
                entries, rows = catalogue.grade(assignment, workdir, jobs=1)
                _GRADED[assignment] = (workdir / "course0", pd.DataFrame(rows),
                                       catalogue.outcomes(entries, rows))
            except Exception as err:  # fail every test of this assignment fast, not regrade
                _GRADED[assignment] = err
        if isinstance(_GRADED[assignment], Exception):
            raise _GRADED[assignment]
        return _GRADED[assignment]

    return run


def same_notebook(path_a, path_b):
    """True when two notebook files hold the same JSON document."""
    return json.loads(Path(path_a).read_text()) == json.loads(Path(path_b).read_text())


def totals(df, student):
    rows = df[df.student == student]
    assert len(rows), f"{student} has no grades"
    return rows.score.sum(), rows.max_score.sum()


@pytest.mark.parametrize("assignment", per_assignment())
def test_release_is_what_nbgrader_generates(assignment, graded):
    course, _, _ = graded(assignment)
    for name in repository().notebook_names(assignment):
        committed = REPO / "release" / assignment / name
        assert committed.exists(), f"release/{assignment}/{name} missing: run python -m grading release"
        assert same_notebook(course / "release" / assignment / name, committed), (
            f"release/{assignment}/{name} is stale: run `python -m grading release` and commit.")


@pytest.mark.parametrize("assignment", per_assignment())
def test_committed_notebooks_have_no_outputs(assignment):
    for folder in ("source", "release"):
        for path in (REPO / folder / assignment).glob("*.ipynb"):
            nb = cells.read(path)
            assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), path


@pytest.mark.parametrize("assignment", per_assignment())
def test_every_test_cell_has_points(assignment):
    for name in repository().notebook_names(assignment):
        nb = cells.read(REPO / "source" / assignment / name)
        graded_cells = [cells.meta(c) for c in nb.cells if cells.is_test(c)]
        assert graded_cells, f"{name} has no graded test cells"
        assert all(m.get("points", 0) > 0 for m in graded_cells)
        hidden = [c for c in nb.cells if cells.HIDDEN_BEGIN in c.source]
        assert hidden, f"{name} has no hidden tests"


@pytest.mark.parametrize("assignment", per_assignment())
def test_solution_gets_full_points(assignment, graded):
    _, df, _ = graded(assignment)
    score, max_score = totals(df, "solution")
    failed = df[(df.student == "solution") & (df.score < df.max_score)].test.tolist()
    assert score == max_score > 0, f"solution lost points on {failed}"


@pytest.mark.parametrize("assignment", per_assignment())
def test_blank_release_gets_zero_without_crashing(assignment, graded):
    _, df, _ = graded(assignment)
    score, max_score = totals(df, "blank")
    assert max_score > 0 and score == 0


@pytest.mark.parametrize("assignment", per_assignment())
def test_catalogue_covers_every_answer_cell(assignment):
    entries = catalogue.load(assignment)
    for name in repository().notebook_names(assignment):
        nb = cells.read(REPO / "source" / assignment / name)
        for cell in cells.solution_sources(nb):
            wrong = [e for e in entries if e.cell == cell and e.kind == "wrong"]
            correct = [e for e in entries if e.cell == cell and e.kind == "correct"]
            assert len(wrong) >= 3 and len(correct) >= 2, (
                f"{assignment}: answer cell {cell!r} needs >= 3 typical mistakes and >= 2 correct "
                f"alternatives in {catalogue.catalogue_path(assignment).name} "
                f"(has {len(wrong)} and {len(correct)}).")


CASES = [(a, e) for a in ASSIGNMENTS for e in catalogue.quality_entries(a)]


@pytest.mark.parametrize("assignment,entry", [
    pytest.param(a, e, marks=pytest.mark.xdist_group(a),
                 id=f"{a}-{e.student}-{re.sub(r'[^A-Za-z0-9]+', '_', e.name)}")
    for a, e in CASES])
def test_catalogue_entry_is_graded_as_expected(assignment, entry, graded):
    _, _, results = graded(assignment)
    [(_, ok, detail)] = [r for r in results if r[0].student == entry.student]
    what = {"correct": "correct alternative", "wrong": "typical mistake",
            "fuzzed": "fuzzed variant (grading/fuzz.py) of the solution"}[entry.kind]
    assert ok, f"{what} {entry.name!r} (cell {entry.cell}): {detail}"


@pytest.mark.parametrize("assignment", per_assignment())
def test_grading_quality_report_is_up_to_date(assignment, graded, request):
    _, df, results = graded(assignment)
    if request.config.getoption("--update-quality-report"):
        with open(catalogue.REPORT.with_suffix(".lock"), "w") as lock:  # xdist workers share it
            fcntl.flock(lock, fcntl.LOCK_EX)
            catalogue.update_report({assignment: (results, df.to_dict("records"))})
    report = catalogue.REPORT.read_text() if catalogue.REPORT.exists() else ""
    stale = (f"docs/grading_quality.md is out of date: run `python -m grading quality {assignment}` "
             "(or these tests with --update-quality-report) and commit it.")
    rows = df.to_dict("records")
    assert catalogue.summary_row(assignment, results, rows) in report, stale
    assert catalogue.report_section(assignment, results, rows) in report, stale
    stored = misconceptions.load(assignment)
    assert stored == misconceptions.table(results, rows), (
        f"tests/catalogue/signatures/{assignment}.json is out of date: run "
        f"`python -m grading quality {assignment}` and commit it.")
