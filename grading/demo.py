"""``python -m grading demo``: a simulated class graded end to end, as an instructor would.

Builds ``demo_class/`` (a fresh course folder: sources, releases, due dates and the simulated
submissions of :mod:`grading.simulate`, one student per persona), then runs the class grader
of :mod:`grading.classroom` on it and prints the score table. The report, feedback and grades
are in ``demo_class/reports``, ``demo_class/feedback`` and ``demo_class/gradebook.db`` (open
it in formgrader: ``cd demo_class && ../.venv/bin/jupyter lab``).
"""
import shutil

import pandas as pd

from grading import classroom, simulate
from grading.course import REPO, repository
from grading.limits import Limits

# The demo's hostile students loop forever on purpose: a shorter cell limit than a real
# class's shows the same outcomes sooner.
DEMO_LIMITS = Limits(cell_timeout=10, submission_timeout=60)


def main(root=None, *, jobs=None, limits=DEMO_LIMITS):
    root = REPO / "demo_class" if root is None else root
    if root.exists():
        shutil.rmtree(root)  # a fresh class every run: same inputs, same grades
    names = repository().assignments()
    print(f"Simulating {len(simulate.PERSONAS)} students x {len(names)} assignments in {root} ...")
    course = simulate.make_class(root, names)
    _, elapsed = classroom.grade_class(course, names, jobs=jobs, limits=limits)
    table = pd.read_csv(course.root / "reports" / "grades_table.csv", index_col=0)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\nScores (points / max), {len(simulate.PERSONAS)} students, graded in "
              f"{elapsed:.0f} s:\n")
        print(table.to_string())
    print(f"\nReport: {course.root / 'reports' / 'report.md'}")
    return table
