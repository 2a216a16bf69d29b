"""The solution regions of the instructor notebooks (``source/``), as units of code.

A *solution unit* is one top-level class or function of an answer cell that contains at least
one ``### BEGIN SOLUTION`` ... ``### END SOLUTION`` region, together with the text of its
regions; an answer cell whose regions sit outside any definition (a number, a short answer) is
one unit named by its cell's ``grade_id``. The map of what each assignment grades
(:mod:`common.syllabus`) is checked against :func:`defined_names`, and the student editions'
leak check (:mod:`grading.leaks`) compares the regions with every file of an edition.
"""
import ast
import textwrap
from dataclasses import dataclass
from pathlib import Path

from grading import cells


@dataclass(frozen=True)
class SolutionUnit:
    """The solution regions of one definition (or one answer cell) of an assignment.

    Attributes
    ----------
    assignment : str
    name : str
        The class or function the regions belong to, or the cell's grade_id.
    cell : str
        The grade_id of the answer cell.
    regions : tuple of str
        The code between each pair of markers, dedented, markers excluded.
    defines : bool
        True if ``name`` is a definition (a class or function), False for a bare answer cell.
    """

    assignment: str
    name: str
    cell: str
    regions: tuple
    defines: bool


def _regions(lines):
    """``[(first line, last line, text)]`` of the marker pairs in a cell's lines (1-based)."""
    out, start = [], None
    for number, line in enumerate(lines, start=1):
        if line.strip() == cells.SOLUTION_BEGIN:
            start = number
        elif line.strip() == cells.SOLUTION_END and start is not None:
            out.append((start, number, textwrap.dedent("\n".join(lines[start:number - 1]))))
            start = None
    return out


def cell_units(assignment, cell):
    """The solution units of one answer cell of an instructor notebook."""
    lines = cell.source.splitlines()
    regions = _regions(lines)
    if not regions:
        return []
    try:
        body = ast.parse(cell.source).body
    except SyntaxError:
        body = []
    definitions = [node for node in body
                   if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    units = []
    for node in definitions:
        # the closing marker is a comment, which the definition's end_lineno leaves out
        inside = [text for first, _, text in regions if node.lineno <= first <= node.end_lineno]
        if inside:
            units.append(SolutionUnit(assignment, node.name, cells.grade_id(cell),
                                      tuple(inside), True))
    covered = {text for unit in units for text in unit.regions}
    loose = [text for _, _, text in regions if text not in covered]
    if loose:
        units.append(SolutionUnit(assignment, cells.grade_id(cell), cells.grade_id(cell),
                                  tuple(loose), False))
    return units


def notebook_units(assignment, nb):
    """Every solution unit of an instructor notebook, in cell order."""
    return [unit for cell in nb.cells if cell.cell_type == "code" and cells.is_answer(cell)
            for unit in cell_units(assignment, cell)]


def source_units(source_dir, assignments):
    """``{assignment: [SolutionUnit]}`` for the named assignments of a ``source/`` folder."""
    source_dir = Path(source_dir)
    return {name: notebook_units(name, cells.read(source_dir / name / f"{name}.ipynb"))
            for name in assignments}


def defined_names(units):
    """The names of the classes and functions among ``units`` (bare answer cells left out)."""
    return [unit.name for unit in units if unit.defines]


def hidden_test_texts(nb):
    """The text of every hidden-test region of an instructor notebook."""
    return [text for cell in nb.cells if cells.is_test(cell)
            for text in cells.hidden_test_regions(cell.source)]


def worked_solution(source_nb):
    """The instructor notebook as students may see it once the assignment has closed.

    Solution markers are removed (the code stays), hidden-test regions are removed from the
    test cells, outputs are cleared; the nbgrader metadata stays, so the notebook can still be
    validated and autograded.
    """
    nb = cells.clear_outputs(cells.copy(source_nb))
    for cell in nb.cells:
        if cells.is_test(cell):
            cell.source = cells.strip_hidden_tests(cell.source)
        if cell.cell_type == "code" and cells.is_answer(cell):
            cell.source = cells.strip_solution_markers(cell.source)
    return nb


def map_mismatches(units, graded):
    """Where the map of graded objects and the solutions disagree.

    Parameters
    ----------
    units : dict
        ``{assignment: [SolutionUnit]}`` (:func:`source_units`).
    graded : iterable of common.syllabus.Graded
        The map's rows.

    Returns
    -------
    unknown : list of (assignment, name)
        Defined by a solution region but not in the map.
    absent : list of (assignment, name)
        In the map but defined by no solution region of that assignment.
    """
    defined = {(a, name) for a, group in units.items() for name in defined_names(group)}
    mapped = {(row.assignment, row.name) for row in graded}
    return sorted(defined - mapped), sorted(mapped - defined)
