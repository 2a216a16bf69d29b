"""grading/validate_run.py and grading/validate_report.py: what a student reads after Validate.

Each case is a released notebook with answers filled in, validated for real (nbgrader's
Validator, a kernel) by :func:`grading.validate_run.validate`; the assertions are on the
document the JupyterLab dialog renders and on its plain-text form.
"""
import json
import re
import subprocess
import sys

import nbformat
import pytest

from grading import cells, validate_report, validate_run
from grading.course import REPO, nbgrader_environment, repository

pytestmark = pytest.mark.slow

ASSIGNMENT = "04_layer_classes"
NAME = f"{ASSIGNMENT}.ipynb"


def _solutions():
    return cells.solution_sources(cells.read(REPO / "source" / ASSIGNMENT / NAME))


def _notebook(tmp_path, name, **answers):
    """The release with the solution in every answer cell, except ``answers``."""
    release = cells.read(REPO / "release" / ASSIGNMENT / NAME)
    return cells.write(cells.fill_answers(release, {**_solutions(), **answers}),
                       tmp_path / name)


def _validate(path, **kwargs):
    return validate_run.validate(path, config_folder=REPO, **kwargs)


def _entries(document):
    assert document["success"] is True, document
    return document["value"].get("failed", [])


def test_a_passing_notebook_gets_nbgraders_success(tmp_path):
    assert _validate(_notebook(tmp_path, "pass.ipynb")) == {"success": True, "value": {}}


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """Affine with a SyntaxError, Relu's bias-free Sigmoid mistake: two kinds of failure."""
    tmp = tmp_path_factory.mktemp("broken")
    solutions = _solutions()
    affine = solutions["affine"].replace("return dout @ self.W.T", "return dout @ self.W.T)")
    sigmoid = solutions["sigmoid"].replace("return dout * self.y * (1.0 - self.y)",
                                           "return dout * self.y")
    path = _notebook(tmp, "broken.ipynb", affine=affine, sigmoid=sigmoid)
    return cells.read(path), _validate(path)


def test_the_summary_line_comes_first_and_counts_the_test_cells(broken):
    nb, document = broken
    entries = _entries(document)
    n_tests = sum(cells.is_test(c) for c in nb.cells)
    assert entries[0]["source"] == f"3 of {n_tests} test cells failed."
    assert validate_report.VISIBLE_ONLY in entries[0]["raw_error"]
    titles = [e["source"] for e in entries[1:]]
    assert [t.split()[0] for t in titles] == ["test_affine_forward", "test_affine_backward",
                                              "test_sigmoid"]
    # each title names the cell as the student counts them (from 1) and its points
    number = next(i for i, c in enumerate(nb.cells, 1) if cells.grade_id(c) == "test_sigmoid")
    assert titles[2] == f"test_sigmoid (cell {number}, 2 points)"


def test_an_undefined_name_names_the_answer_cells_own_syntax_error(broken):
    nb, document = broken
    first = _entries(document)[1]["raw_error"]
    affine_cell = next(i for i, c in enumerate(nb.cells, 1) if cells.grade_id(c) == "affine")
    assert first.splitlines()[0] == "Affine is not defined."
    assert f"answer cell {affine_cell} (affine) failed: SyntaxError" in first
    assert "NameError" not in first


def test_a_gradient_failure_shows_its_hint_on_its_own_line_and_no_frame_of_common(broken):
    _, document = broken
    text = _entries(document)[3]["raw_error"]
    lines = text.splitlines()
    assert lines[0] == "Sigmoid gradient check failed:"
    assert any(re.match(r"^ +hint: ", line) for line in lines), text
    assert "common/" not in text and "gradient_check.py" not in text and "File " not in text
    assert any(line.startswith("at line ") and "check_layer(Sigmoid()" in line for line in lines)
    assert all(len(line) <= 100 for entry in _entries(document)
               for line in entry["raw_error"].splitlines() if "<style>" not in line)


def test_the_dialog_html_wraps_long_lines_and_escapes_the_text(broken):
    _, document = broken
    entries = _entries(document)
    assert "white-space: pre-wrap" in entries[0]["error"]
    assert "&gt; threshold" in entries[3]["error"] and "> threshold" in entries[3]["raw_error"]
    assert "<style>" not in entries[1]["error"]  # the style sheet comes once


def test_a_cell_that_runs_too_long_is_stopped_and_named(tmp_path):
    path = _notebook(tmp_path, "loop.ipynb", relu="while True:\n    pass")
    nb = cells.read(path)
    relu_cell = next(i for i, c in enumerate(nb.cells, 1) if cells.grade_id(c) == "relu")
    document = _validate(path, cell_timeout=3)
    entries = _entries(document)
    assert (f"Your code in cell {relu_cell} ran longer than 3 s and was stopped."
            in entries[0]["raw_error"])
    test_relu = next(e for e in entries if e["source"].startswith("test_relu"))
    assert f"answer cell {relu_cell} (relu) failed: it ran longer than 3 s" in \
        test_relu["raw_error"]


def test_a_cell_that_ignores_the_interrupt_leaves_the_rest_marked_not_run(tmp_path):
    stuck = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    path = _notebook(tmp_path, "stuck.ipynb", relu=stuck)
    nb = cells.read(path)
    relu_cell = next(i for i, c in enumerate(nb.cells, 1) if cells.grade_id(c) == "relu")
    later_tests = [c for i, c in enumerate(nb.cells, 1) if cells.is_test(c) and i > relu_cell]
    entries = _entries(_validate(path, cell_timeout=3))
    assert entries[0]["source"] == f"{len(later_tests)} of 7 test cells failed."
    for entry in entries[1:]:
        assert entry["raw_error"].startswith(f"Not run: cell {relu_cell} ran longer than 3 s")


def test_a_notebook_without_tests_has_nothing_to_validate(tmp_path):
    lecture = sorted((REPO / "notebooks").glob("*.ipynb"))
    nb = cells.read(lecture[0]) if lecture else nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell("1 + 1")])
    path = cells.write(nb, tmp_path / "lecture.ipynb")
    entries = _entries(_validate(path))
    assert len(entries) == 1
    assert "no test cells: there is nothing to validate" in entries[0]["source"]
    assert "Success" not in json.dumps(entries)


def test_the_command_line_prints_the_report_and_fails_on_failures(tmp_path):
    solutions = _solutions()
    path = _notebook(tmp_path, "mean_bias.ipynb", affine=solutions["affine"].replace(
        "self.db = np.sum(dout, axis=0)", "self.db = dout.mean(axis=0)"))
    proc = subprocess.run([sys.executable, "-m", validate_run.__name__, str(path)], cwd=REPO,
                          env=nbgrader_environment(), capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 1, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert re.fullmatch(r"1 of \d+ test cells failed\.", lines[0]), proc.stdout
    text = proc.stdout
    assert "db: relative error" in text and "sum dout, do not average it" in text
    assert "only once" not in text


@pytest.mark.parametrize("assignment", repository().assignments())
def test_every_assignment_says_validate_runs_only_the_visible_tests(assignment):
    for name in repository().notebook_names(assignment):
        nb = cells.read(REPO / "release" / assignment / name)
        intro = next(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "Validate runs only the visible tests" in intro, f"{assignment}: {name}"
