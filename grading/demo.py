"""``python -m grading demo``: a simulated class graded end to end, as an instructor would.

Builds ``demo_class/`` (a fresh course folder: sources, releases, due dates and the simulated
submissions of :mod:`grading.simulate`), then runs the class grader of
:mod:`grading.classroom` on it and prints the score table. The report, feedback and grades are
in ``demo_class/reports``, ``demo_class/feedback`` and ``demo_class/gradebook.db`` (open it in
formgrader: ``cd demo_class && ../.venv/bin/jupyter lab``).
"""
import shutil

import pandas as pd

from grading import classroom, pipeline, simulate


def main(course=None, jobs=None):
    course = pipeline.REPO / "demo_class" if course is None else course
    if course.exists():
        shutil.rmtree(course)  # a fresh class every run: same inputs, same grades
    names = pipeline.assignments()
    print(f"Simulating {len(simulate.PERSONAS)} students x {len(names)} assignments in {course} ...")
    simulate.make_class(course, names)
    limits = classroom.Limits(cell_timeout=10, submission_timeout=60)
    _, elapsed = classroom.grade_class(course, names, jobs=jobs, limits=limits)
    table = pd.read_csv(course / "reports" / "grades_table.csv", index_col=0)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(f"\nScores (points / max), {len(simulate.PERSONAS)} students, graded in "
              f"{elapsed:.0f} s:\n")
        print(table.to_string())
    print(f"\nReport: {course / 'reports' / 'report.md'}")
    return table
