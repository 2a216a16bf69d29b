"""grading/guard.py around a real notebook run: the guard's cells come and go, and its audit
notices test cells that ran with the guard switched off.

Each test executes the solved 04_layer_classes notebook with GuardedExecute, as autograde
does (in the OS sandbox), with or without an answer cell that disables the guard.
"""
import re

import pytest

from grading import cells, guard
from grading.course import repository
from grading.preprocessors import GuardedExecute

ASSIGNMENT = "04_layer_classes"
# Rebinds every restore function the guard left in the notebook's globals to a no-op (the
# name is random, so it is found by its prefix), then breaks numpy's comparisons.
SWITCH_OFF = (
    "for _name in [k for k in globals() if k.startswith('_grad' + 'er_restore_')]:\n"
    "    globals()[_name] = lambda: None\n"
    "import numpy\n"
    "numpy.allclose = lambda *a, **k: True\n")


def _run(extra_code=""):
    repo = repository()
    name = repo.notebook_names(ASSIGNMENT)[0]
    solutions = cells.solution_sources(repo.source_notebook(ASSIGNMENT, name))
    first = next(iter(solutions))
    answers = {first: solutions[first] + "\n" + extra_code}
    nb = repo.solved_notebooks(ASSIGNMENT, answers)[name]
    released = [c.source for c in nb.cells]
    executor = GuardedExecute(timeout=60)
    nb, _ = executor.preprocess(nb, {"metadata": {"path": str(repo.release(ASSIGNMENT))}})
    return nb, released


@pytest.fixture(scope="module")
def honest():
    return _run()


def test_the_graded_notebook_shows_the_cells_as_released(honest):
    nb, released = honest
    assert [c.source for c in nb.cells] == released
    assert not any(c.metadata.get(guard.GUARD_CELL) for c in nb.cells)


def test_an_honest_run_restored_before_every_test_cell(honest):
    nb, _ = honest
    verdict = nb.metadata[guard.AUDIT_KEY]
    tests = sum(1 for c in nb.cells if cells.is_test(c))
    assert verdict == {"tests_run": tests, "restores": tests, "audit_ran": True}
    assert not guard.guard_off(verdict)


def test_a_switched_off_guard_is_noticed():
    nb, _ = _run(SWITCH_OFF)
    verdict = nb.metadata[guard.AUDIT_KEY]
    assert verdict["tests_run"] > 0 and verdict["restores"] == 0, verdict
    assert guard.guard_off(verdict)


def test_no_verdict_when_the_audit_did_not_run():
    assert not guard.guard_off(None)
    assert not guard.guard_off({"tests_run": 5, "restores": None, "audit_ran": False})


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_instructor_tracebacks_show_the_cells_as_released():
    """A blank notebook's test cells fail; their tracebacks (formgrader shows them) neither
    show the injected restore call nor count it: the arrow line of each test cell's own frame
    is that cell's released line."""
    repo = repository()
    name = repo.notebook_names(ASSIGNMENT)[0]
    nb = repo.release_notebook(ASSIGNMENT, name)
    nb, _ = GuardedExecute(timeout=60).preprocess(
        nb, {"metadata": {"path": str(repo.release(ASSIGNMENT))}})
    checked = 0
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if output.get("output_type") != "error":
                continue
            text = ANSI.sub("", "\n".join(output["traceback"]))
            assert guard.RESTORE_PREFIX not in text and guard.TAG not in text
            if not cells.is_test(cell):
                continue
            frame = re.search(rf"Cell In\[{cell.execution_count}\], line (\d+)\n(.*?)(?:\n\n|\Z)",
                              text, re.S)
            assert frame, text
            line = int(frame.group(1))
            arrow = next(x for x in frame.group(2).splitlines() if x.lstrip().startswith("-"))
            number, code = re.match(r"\s*-+>\s*(\d+)\s?(.*)", arrow).groups()
            assert int(number) == line
            assert code.strip() == cell.source.splitlines()[line - 1].strip()
            checked += 1
    assert checked >= 3, "the blank notebook's test cells fail with tracebacks"
