"""``python -m grading demo``: release every assignment, grade two simulated students, print scores.

The two students are the instructor solution (answer cells filled from ``source/``) and the
untouched blank release. Work happens in ``demo_class/`` (a scratch course folder), so the
repository's ``release/`` and gradebook are never modified.
"""
import shutil
import time

import pandas as pd

from grading import pipeline

STUDENTS = ("solution", "blank")


def simulated_students(course, assignment):
    """Submit the solution and the blank release of ``assignment`` into ``course``."""
    release = pipeline.generate_release(course, assignment)
    for name in pipeline.notebook_names(assignment):
        committed = pipeline.REPO / "release" / assignment / name
        if not committed.exists() or not pipeline.same_notebook(release / name, committed):
            print(f"  note: release/{assignment}/{name} is out of date; "
                  "regenerate it with `python -m grading release`.")
    blank, solved = {}, {}
    for name in pipeline.notebook_names(assignment):
        student_nb = pipeline.read_notebook(release / name)
        answers = pipeline.solution_sources(
            pipeline.read_notebook(pipeline.REPO / "source" / assignment / name))
        blank[name] = student_nb
        solved[name] = pipeline.fill_answers(student_nb, answers)
    pipeline.submit(course, "solution", assignment, solved)
    pipeline.submit(course, "blank", assignment, blank)


def score_table(rows):
    """Assignment × student table of "points / max" strings."""
    df = pd.DataFrame(rows)
    totals = df.groupby(["assignment", "student"])[["score", "max_score"]].sum()
    cells = totals.apply(lambda r: f"{r.score:g} / {r.max_score:g}", axis=1).unstack("student")
    return cells[[s for s in STUDENTS if s in cells.columns]]


def main(course=None):
    course = pipeline.REPO / "demo_class" if course is None else course
    if course.exists():
        shutil.rmtree(course)  # a fresh class every run: same inputs, same grades
    names = pipeline.assignments()
    pipeline.new_course(course, names)
    start = time.perf_counter()
    for i, assignment in enumerate(names, 1):
        print(f"[{i}/{len(names)}] {assignment}: release, submit, autograde ...", flush=True)
        simulated_students(course, assignment)
        pipeline.autograde(course, assignment)
    table = score_table(pipeline.grades(course))
    print(f"\nScores (points / max), graded in {time.perf_counter() - start:.0f} s:\n")
    print(table.to_string())
    return table
