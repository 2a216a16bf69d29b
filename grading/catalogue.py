"""Mutation catalogue: typical wrong answers and correct alternatives, injected into solutions.

A catalogue file ``tests/catalogue/<assignment>.py`` defines two lists of dicts:

* ``WRONG``: ``{"cell", "name", "fails", "replace" | "code"}``: a typical mistake in one answer
  cell; it must lose points on the test cell ``fails``;
* ``CORRECT``: ``{"cell", "name", "replace" | "code"}``: another correct way to write the cell;
  it must get full points.

``replace`` is a list of ``(old, new)`` text edits of the instructor solution (each ``old``
must occur, so the catalogue breaks loudly when the solution changes); ``code`` replaces the
whole cell.
"""
import runpy
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from grading import pipeline

CATALOGUE_DIR = pipeline.REPO / "tests" / "catalogue"


@dataclass
class Entry:
    kind: str            # "wrong" or "correct"
    index: int
    cell: str
    name: str
    fails: str = None
    replace: list = field(default_factory=list)
    code: str = None

    @property
    def student(self):
        return f"{self.kind}-{self.index:02d}"

    def answer(self, solutions):
        """The answer cell's code for this entry, given the solutions ``{grade_id: code}``."""
        if self.cell not in solutions:
            raise KeyError(f"catalogue entry {self.name!r}: no answer cell {self.cell!r}")
        if self.code is not None:
            return textwrap.dedent(self.code).strip("\n")
        text = solutions[self.cell]
        for old, new in self.replace:
            if old not in text:
                raise ValueError(f"catalogue entry {self.name!r}: text {old!r} not found in the "
                                 f"solution of cell {self.cell!r}; update the catalogue.")
            text = text.replace(old, new)
        return text


def catalogue_path(assignment):
    return CATALOGUE_DIR / f"{assignment}.py"


def load(assignment):
    """The entries of an assignment's catalogue (empty when it has none)."""
    path = catalogue_path(assignment)
    if not path.exists():
        return []
    data = runpy.run_path(str(path))
    entries = []
    for kind, key in (("wrong", "WRONG"), ("correct", "CORRECT")):
        for i, spec in enumerate(data.get(key, [])):
            entries.append(Entry(kind=kind, index=i, **spec))
    return entries


def submissions(assignment, release_dir, entries):
    """``{student: {notebook name: NotebookNode}}`` for the solution, the blank release and
    every catalogue entry (each entry changes one answer cell of the full solution)."""
    out = {"solution": {}, "blank": {}}
    for e in entries:
        out[e.student] = {}
    for name in pipeline.notebook_names(assignment):
        release_nb = pipeline.read_notebook(Path(release_dir) / name)
        source_nb = pipeline.read_notebook(pipeline.REPO / "source" / assignment / name)
        solutions = pipeline.solution_sources(source_nb)
        out["blank"][name] = release_nb
        out["solution"][name] = pipeline.fill_answers(release_nb, solutions)
        for e in entries:
            if e.cell in solutions:
                out[e.student][name] = pipeline.fill_answers(
                    release_nb, {**solutions, e.cell: e.answer(solutions)})
    return out
