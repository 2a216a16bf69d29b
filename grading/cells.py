"""nbgrader's cell kinds and the notebook edits the grader makes, in one place.

Conventions: a cell's nbgrader metadata lives in ``cell.metadata["nbgrader"]`` (absent on
ordinary cells). An *answer* cell has ``solution: true`` (the student writes it); a *test*
cell is a code cell with ``grade: true`` (it carries points); a *locked* cell is read-only.
Answer regions are marked in instructor notebooks by :data:`SOLUTION_BEGIN` /
:data:`SOLUTION_END`, hidden tests by :data:`HIDDEN_BEGIN` / :data:`HIDDEN_END` (nbgrader's
own markers). Functions that change a notebook work on a copy and return it.
"""
import copy as _copy
from pathlib import Path

import nbformat

SOLUTION_BEGIN, SOLUTION_END = "### BEGIN SOLUTION", "### END SOLUTION"
HIDDEN_BEGIN, HIDDEN_END = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def meta(cell):
    """The cell's nbgrader metadata (an empty dict for an ordinary cell)."""
    return cell.get("metadata", {}).get("nbgrader", {})


def grade_id(cell):
    """nbgrader's name of the cell, or None for an ordinary cell."""
    return meta(cell).get("grade_id")


def is_answer(cell):
    """True for a cell the student writes (``solution: true``)."""
    return bool(meta(cell).get("solution", False))


def is_test(cell):
    """True for a code cell that carries points (``grade: true``)."""
    return cell.get("cell_type") == "code" and bool(meta(cell).get("grade", False))


def is_locked(cell):
    """True for a read-only cell (its source comes from the release, never the student)."""
    return bool(meta(cell).get("locked", False))


def read(path):
    """The notebook at ``path`` (nbformat 4)."""
    return nbformat.read(str(path), as_version=4)


def write(nb, path):
    """Write ``nb`` to ``path`` (folders are created); returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def copy(nb):
    """A deep copy of a notebook (a NotebookNode again, attribute access included)."""
    return nbformat.from_dict(_copy.deepcopy(nb))


def strip_solution_markers(text):
    """The solution code without its begin/end marker lines."""
    return "\n".join(line for line in text.splitlines()
                     if line.strip() not in (SOLUTION_BEGIN, SOLUTION_END))


def strip_hidden_tests(text):
    """Test source without its hidden-test regions (markers included)."""
    out, hidden = [], False
    for line in text.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            hidden = True
        elif line.strip() == HIDDEN_END:
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out)


def hidden_test_regions(text):
    """The text of each hidden-test region of a test cell's source (markers excluded)."""
    regions, current = [], None
    for line in text.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            current = []
        elif line.strip() == HIDDEN_END and current is not None:
            regions.append("\n".join(current))
            current = None
        elif current is not None:
            current.append(line)
    return regions


def solution_sources(source_nb):
    """``{grade_id: code}`` of every answer cell of an instructor notebook, markers removed."""
    return {grade_id(cell): strip_solution_markers(cell.source)
            for cell in source_nb.cells if is_answer(cell)}


def fill_answers(release_nb, answers):
    """A copy of a student notebook with the answer cells named in ``answers`` replaced.

    Parameters
    ----------
    release_nb : NotebookNode
        The released (student) notebook.
    answers : dict
        ``{grade_id: code}``; answer cells not named keep the release's stub.
    """
    nb = copy(release_nb)
    for cell in nb.cells:
        if is_answer(cell) and grade_id(cell) in answers:
            cell.source = answers[grade_id(cell)]
    return nb


def clear_outputs(nb):
    """Drop every code cell's outputs and execution count, in place; returns ``nb``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb
