"""``python -m grading demo [--full]``: a simulated class graded end to end, as an instructor would.

Builds ``demo_class/`` (a fresh course folder: sources, releases, due dates and the simulated
submissions of :mod:`grading.simulate`), runs the class grader of :mod:`grading.classroom` on
it and prints the score table. By default the class is small enough to be graded in a few
minutes and still has one student of every kind: a solution, a correct alternative, a typical
mistake, a blank, a partial and a late submission of every assignment, and one student per
hostile trick, who hands in only the assignment the tricks are aimed at
(:data:`grading.simulate.HOSTILE_ASSIGNMENT`). ``--full`` grades the whole simulated class
(every persona of :data:`grading.simulate.PERSONAS` hands in every assignment). The report,
feedback and grades are in ``demo_class/reports``, ``demo_class/feedback`` and
``demo_class/gradebook.db`` (open it in formgrader: ``cd demo_class && ../.venv/bin/jupyter lab``).
"""
import hashlib
import shutil
import time
import warnings

import pandas as pd
from nbformat.warnings import DuplicateCellId

from grading import classroom, simulate
from grading.course import REPO, repository
from grading.limits import Limits

# The demo's hostile students loop forever on purpose: a shorter cell limit than a real
# class's shows the same outcomes sooner.
DEMO_LIMITS = Limits(cell_timeout=10, submission_timeout=60)
KINDS = ("solution", "alternative", "mistake", "blank", "partial", "late")


def regular_students():
    """One student of every kind that hands in every assignment (``solution-1``, ...)."""
    return [f"{kind}-1" for kind in KINDS]


def hostile_students():
    """One student per hostile trick of the simulated class."""
    return [p for p in simulate.PERSONAS if p.startswith("hostile-")]


def make_demo_class(root, names, *, full=False):
    """The demo's course folder at ``root``; returns the Course. Small (see the module's
    description) unless ``full``. The releases are left to grade-class. nbformat's
    ``DuplicateCellId`` warnings are not shown: the student who duplicates test cells does so
    on purpose (and grade-class restores them)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DuplicateCellId)
        return _make_demo_class(root, names, full=full)


def _make_demo_class(root, names, *, full):
    if full:
        return simulate.make_class(root, names, release=False)
    course = simulate.make_class(root, names, personas=regular_students(), release=False)
    if simulate.HOSTILE_ASSIGNMENT in names:
        assignment = simulate.HOSTILE_ASSIGNMENT
        index = names.index(assignment)
        for persona in hostile_students():
            secret = hashlib.sha256(f"{persona}/{assignment}".encode()).hexdigest()
            course.submit(persona, assignment,
                          simulate.persona_notebooks(persona, assignment, index,
                                                     course_root=course.root),
                          timestamp=simulate.ON_TIME, secret=secret)
    return course


def main(root=None, *, jobs=None, limits=DEMO_LIMITS, full=False):
    """Build and grade the demo class; print the score table. Returns the table."""
    root = REPO / "demo_class" if root is None else root
    if root.exists():
        shutil.rmtree(root)  # a fresh class every run: same inputs, same grades
    names = repository().assignments()
    students = (len(simulate.PERSONAS) if full
                else len(regular_students()) + len(hostile_students()))
    print(f"Simulating {students} students x {len(names)} assignments in {root} "
          f"({'the full class' if full else 'one student of every kind; --full for all'}) ...")
    start = time.perf_counter()
    course = make_demo_class(root, names, full=full)
    built = time.perf_counter() - start
    _, elapsed = classroom.grade_class(course, names, jobs=jobs, limits=limits)
    table = pd.read_csv(course.root / "reports" / "grades_table.csv", index_col=0)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\nScores (points / max), {len(table)} students, class built in {built:.0f} s, "
              f"graded in {elapsed:.0f} s:\n")
        print(table.to_string())
    print(f"\nReport: {course.root / 'reports' / 'report.md'}")
    return table
