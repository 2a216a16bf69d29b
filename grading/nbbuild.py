"""Build notebooks from Python: an authoring aid for course writers.

The committed ``.ipynb`` files are the source of truth (instructors edit them in JupyterLab
with nbgrader's "Create Assignment" toolbar). This module only makes it quick to write a new
notebook, with correct nbgrader cell metadata, from a short Python script::

    from grading.nbbuild import md, code, setup, solution, tests, write
    write("source/04_layer_classes/04_layer_classes.ipynb", [
        md("# Layer classes"),
        setup("imports", "import numpy as np"),
        solution("affine", "class Affine: ..."),
        tests("test_affine_forward", 2, "assert ..."),
    ])

Cell ids are derived from the grade id (or the position), so rebuilding gives the same file.
"""
import json
import textwrap
from pathlib import Path

import nbformat

KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def _clean(text):
    return textwrap.dedent(text).strip("\n")


def md(text):
    """A Markdown cell."""
    return nbformat.v4.new_markdown_cell(_clean(text))


def code(text):
    """An ordinary code cell (lecture notebooks; ungraded, editable)."""
    return nbformat.v4.new_code_cell(_clean(text))


def _nbgrader(cell, grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    cell.id = grade_id.replace("_", "-")
    return cell


def setup(grade_id, text):
    """A read-only code cell (imports, data) that students run but cannot change."""
    return _nbgrader(code(text), grade_id, locked=True)


def solution(grade_id, text):
    """An answer cell: put the solution between ``### BEGIN SOLUTION`` and ``### END SOLUTION``."""
    return _nbgrader(code(text), grade_id, solution=True)


def tests(grade_id, points, text):
    """A graded, read-only test cell worth ``points``; hidden parts go between
    ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``."""
    return _nbgrader(code(text), grade_id, grade=True, locked=True, points=points)


def write(path, cells):
    """Write the notebook, giving unnamed cells stable ids from their position."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = KERNELSPEC
    nb.metadata["language_info"] = {"name": "python"}
    for i, cell in enumerate(cells):
        if "nbgrader" not in cell.metadata:
            cell.id = f"cell-{i:03d}"
    nb.cells = cells
    nbformat.validate(nb)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path
