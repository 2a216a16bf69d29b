"""A simulated class, generated from the source notebooks and the mistake catalogues.

``make_class(course)`` writes ``submitted/<student>/<assignment>/`` for every assignment as
``nbgrader collect`` would, with a timestamp and a submission secret per submission and a due
date per assignment.
Students (one persona each, the same in every assignment):

* ``solution-*``: the instructor solution; ``alternative-*``: correct answers written
  differently (catalogue CORRECT entries); ``mistake-*``: one typical mistake each (catalogue
  WRONG entries); ``blank-*``: the untouched release; ``partial-*``: the first half of the
  answers; ``late-*``: the solution, handed in after the due date;
* hostile students, whose trick is applied in :data:`HOSTILE_ASSIGNMENT` (and who hand in the
  solution elsewhere): see :data:`HOSTILE`.
"""
import hashlib

import nbformat

from grading import catalogue, cells
from grading.course import Course, repository

DUE = "2026-11-20 23:59:00 UTC"
ON_TIME = "2026-11-20 18:00:00 UTC"
LATE = "2026-11-22 09:30:00 UTC"
HOSTILE_ASSIGNMENT = "04_layer_classes"

# What each hostile student appends to (or does with) the first answer cell, and the grade the
# tests expect: "cell0" = 0 on the tests of the first answer cell, full points elsewhere.
HOSTILE = {
    "infinite-loop": ("append", "while True:\n    pass", "cell0"),
    "sigint-ignoring-loop": ("append", "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                             "while True:\n    pass", "cell0"),
    "sys-exit": ("append", "import sys\nsys.exit(0)", "full"),
    "os-exit": ("append", "import os\nos._exit(0)", "cell0"),
    "kill-9": ("append", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)", "cell0"),
    "alloc-20gb": ("append", "import numpy\nhuge = numpy.ones(20 * 2**30 // 8)", "full"),
    "patch-numpy": ("wrong+append", "import numpy\nnumpy.allclose = lambda *a, **k: True\n"
                    "numpy.max = lambda *a, **k: 0.0\nnumpy.testing.assert_allclose = lambda *a, **k: None",
                    "cell0"),
    "patch-gradient-check": ("wrong+append", "import common.gradient_check as gc\n"
                             "gc.check_layer = lambda *a, **k: None\ngc.rel_error = lambda *a: 0.0\n"
                             "gc.check_gradient = lambda *a, **k: None", "cell0"),
    "patch-builtins": ("wrong+append", "import builtins\nbuiltins.max = lambda *a, **k: 0.0\n"
                       "builtins.isinstance = lambda *a: True", "cell0"),
    "patch-test-helpers": ("wrong+append", "check_layer = lambda *a, **k: None\n"
                           "check_close = lambda *a, **k: None\ncheck_gradient = lambda *a, **k: None",
                           "cell0"),
    "edited-tests": ("edit-tests", None, "cell0"),
    "deleted-tests": ("delete-tests", None, "full"),
    "reordered-cells": ("reorder", None, "full"),
    "duplicated-tests": ("duplicate-tests", None, "full"),
    "changed-metadata": ("metadata", None, "full"),
    "invalid-json": ("invalid-json", None, "zero"),
    "renamed-notebook": ("rename", None, "full"),
    "missing-notebook-extra-file": ("missing", None, "zero"),
    "huge-output": ("huge-output", None, "full"),
}

PERSONAS = ([f"solution-{i}" for i in range(1, 4)] + [f"alternative-{i}" for i in range(1, 4)]
            + [f"mistake-{i}" for i in range(1, 6)] + [f"blank-{i}" for i in range(1, 3)]
            + [f"partial-{i}" for i in range(1, 3)] + [f"late-{i}" for i in range(1, 3)]
            + [f"hostile-{name}" for name in HOSTILE])


def _answers(assignment, name):
    repo = repository()
    release_nb = repo.release_notebook(assignment, name)
    return release_nb, cells.solution_sources(repo.source_notebook(assignment, name))


def _first_wrong(entries, cell, solutions):
    for e in entries:
        if e.kind == "wrong" and e.cell == cell:
            return e.answer(solutions)
    return solutions[cell] + "\n" + "raise ValueError('a typical mistake')"


def persona_notebooks(persona, assignment, index=0):
    """``{file name: notebook or raw text}`` for one student and assignment."""
    entries = catalogue.load(assignment)
    out = {}
    for name in repository().notebook_names(assignment):
        release_nb, solutions = _answers(assignment, name)
        answer_ids = list(solutions)
        answers = dict(solutions)
        kind = persona.rsplit("-", 1)[0] if not persona.startswith("hostile-") else "hostile"
        k = int(persona.rsplit("-", 1)[1]) if kind != "hostile" else 0
        if kind == "blank":
            out[name] = release_nb
            continue
        if kind == "partial":
            answers = {c: solutions[c] for c in answer_ids[: max(1, len(answer_ids) // 2)]}
        elif kind == "alternative":
            for cell in answer_ids:
                alts = [e for e in entries if e.kind == "correct" and e.cell == cell]
                if alts:
                    answers[cell] = alts[(k - 1) % len(alts)].answer(solutions)
        elif kind == "mistake":
            wrong = [e for e in entries if e.kind == "wrong" and e.cell in solutions]
            if wrong:
                e = wrong[(k - 1 + 3 * index) % len(wrong)]
                answers[e.cell] = e.answer(solutions)
        if kind != "hostile" or assignment != HOSTILE_ASSIGNMENT:
            out[name] = cells.fill_answers(release_nb, answers)
            continue
        out.update(_hostile(persona[len("hostile-"):], name, release_nb, solutions, entries))
    return out


def _hostile(trick, name, release_nb, solutions, entries):
    action, payload, _ = HOSTILE[trick]
    first = next(iter(solutions))
    answers = dict(solutions)
    if action == "append":
        answers[first] = solutions[first] + "\n" + payload
    elif action == "wrong+append":
        answers[first] = _first_wrong(entries, first, solutions) + "\n" + payload
    elif action == "edit-tests":
        answers[first] = _first_wrong(entries, first, solutions)
    nb = cells.fill_answers(release_nb, answers)
    tests = [c for c in nb.cells if cells.is_test(c)]
    if action == "edit-tests":
        for c in tests:
            c.source = "print('all tests passed')"
    elif action == "delete-tests":
        nb.cells = [c for c in nb.cells if c not in tests]
    elif action == "reorder":
        nb.cells = nb.cells[::-1]
    elif action == "duplicate-tests":
        doubled = []
        for c in nb.cells:
            doubled.append(c)
            if c in tests:
                doubled.append(cells.copy(c))
        nb.cells = doubled
    elif action == "metadata":
        for i, c in enumerate(nb.cells):
            c.id = f"renamed-{i}"
            if cells.is_test(c):
                cells.meta(c).update(points=1000, locked=False)
    elif action == "invalid-json":
        return {name: nbformat.writes(nb)[: 5000]}
    elif action == "rename":
        return {"my_solution (1).ipynb": nb}
    elif action == "missing":
        return {"answers.py": "# I wrote my answers here instead\n"}
    elif action == "huge-output":
        first_code = next(c for c in nb.cells if c.cell_type == "code")
        first_code.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                     text="x" * (200 * 2 ** 20))]
    return {name: nb}


def make_class(root, assignment_names=None, personas=PERSONAS):
    """Create a course folder at ``root`` with its sources, due dates and every simulated
    submission; returns the :class:`~grading.course.Course`."""
    names = assignment_names or repository().assignments()
    course = Course.create(root, names)
    for assignment in names:
        course.generate_release(assignment)
    with course.gradebook() as gb:
        for assignment in names:
            gb.update_or_create_assignment(assignment, duedate=DUE)
    for index, assignment in enumerate(names):
        for persona in personas:
            stamp = LATE if persona.startswith("late-") else ON_TIME
            secret = hashlib.sha256(f"{persona}/{assignment}".encode()).hexdigest()
            course.submit(persona, assignment, persona_notebooks(persona, assignment, index),
                          timestamp=stamp, secret=secret)
    return course


def expected(persona, assignment):
    """What the grade should be: "full", "zero", "cell0" (first answer's tests lose points),
    "partial" or "mistake"."""
    if persona.startswith("hostile-"):
        return HOSTILE[persona[len("hostile-"):]][2] if assignment == HOSTILE_ASSIGNMENT else "full"
    kind = persona.rsplit("-", 1)[0]
    return {"solution": "full", "alternative": "full", "late": "full", "blank": "zero",
            "partial": "partial", "mistake": "mistake"}[kind]
