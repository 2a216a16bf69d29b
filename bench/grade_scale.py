"""Class-scale grading benchmark: N simulated submissions per assignment, graded end to end.

    python bench/grade_scale.py [--students 100] [--jobs N] [assignment ...]

Builds a scratch course with ``--students`` submissions of every assignment (solutions,
correct alternatives, typical mistakes, blanks and partial answers from the catalogues), runs
the class grader (release, sandboxed nbgrader autograde, feedback, export, report) and prints
the wall time per assignment, in total, and per submission, for each ``--modes`` entry on
the same class (by default with and without the OS sandbox, side by side).

With one mode, the class is graded as ``grade-class`` grades it: assignments overlap (the next
is released while the last is graded), so an assignment's time is the time from the previous
assignment's last result to its own; feedback is written beside the grading, and only what is
left after the last result is timed on its own.

With several modes, they are compared fairly on a shared, noisy machine: each assignment is
graded in every mode before the next assignment starts, the order of the modes alternating from
one assignment to the next (A B, B A, A B, ...), so that a slow spell of the machine, or a cold
cache on the first run, falls on both modes alike. Writes bench/grade_scale.csv.
"""
import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

from grading import classroom, report, simulate
from grading.course import repository
from grading.limits import Limits, default_jobs

KINDS = ("solution", "alternative", "mistake", "blank", "partial")


class _Clock:
    """Stands in for the progress bar: notes when each assignment's last result came in."""

    def __init__(self):
        self.last = {}

    def set_postfix_str(self, text):
        self.last[text.split("/", 1)[0]] = time.perf_counter()

    def update(self, n=1):
        pass


def _row(name, submissions, seconds):
    return {"assignment": name, "submissions": submissions, "seconds": round(seconds, 1),
            "seconds_per_submission": round(seconds / submissions, 2)}


def _check_grades(grades_csv, n_expected):
    """A fast run that grades wrongly proves nothing: every submission must be in grades.csv,
    solutions and correct alternatives at full points, blanks at zero. Returns the problems."""
    import pandas as pd

    grades = pd.read_csv(grades_csv)
    kind = grades.student.str.split("-").str[0]
    full = grades.points == grades.max_points
    problems = []
    if len(grades) != n_expected:
        problems.append(f"{len(grades)} submissions in grades.csv, expected {n_expected}")
    for what, bad in (("solution or alternative below full points",
                       kind.isin(["solution", "alternative"]) & ~full),
                      ("blank above zero", (kind == "blank") & (grades.points > 0))):
        if bad.any():
            problems.append(f"{bad.sum()} {what}: "
                            + ", ".join(grades[bad].student + "/" + grades[bad].assignment)[:300])
    print(f"  checked: {len(grades)} graded; {int((kind.isin(['solution', 'alternative']) & full).sum())}"
          f" solutions and alternatives at full points, {int((kind == 'blank').sum())} blanks at zero"
          if not problems else "  CHECK FAILED")
    return problems


def _grade(course, names, students, *, jobs, limits):
    """Grade every submission of ``course`` once under ``limits``; returns the timing rows."""
    rows = []
    total_start = time.perf_counter()
    clock = _Clock()
    states = classroom.grade_assignments(course, names, jobs=jobs, limits=limits, progress=clock,
                                         feedback=True, force=True)
    graded = time.perf_counter()
    previous = total_start
    for assignment in names:  # assignments overlap: each gets the time since the last one
        seconds = clock.last[assignment] - previous
        previous = clock.last[assignment]
        rows.append(_row(assignment, students, seconds))
        print(f"  {assignment:<22} {seconds:7.1f} s  {seconds / students:5.2f} s/submission",
              flush=True)
    feedback = graded - previous  # the last feedback runs after the last result is in
    start = time.perf_counter()  # what grade-class does last: export and the report folder
    out = course.root / "reports"
    out.mkdir(exist_ok=True)
    course.export(out / "nbgrader_export.csv")
    report.write(course, names, states, out, time.perf_counter() - total_start)
    finish = time.perf_counter() - start
    total = time.perf_counter() - total_start
    n = students * len(names)
    wrong = _check_grades(out / "grades.csv", n_expected=n)
    print(f"  feedback (runs beside the grading; what is left after the last result): "
          f"{feedback:.1f} s")
    print(f"  export and report: {finish:.1f} s")
    print(f"  total: {total:.0f} s for {n} submissions ({total / n:.2f} s each, "
          f"{n / total * 60:.0f} per minute)")
    if wrong:
        raise SystemExit(f"grading went wrong, the timings mean nothing: {wrong}")
    return rows + [_row("feedback (after the last result)", n, feedback),
                   _row("export and report", n, finish), _row("TOTAL", n, total)]


MODES = {"sandbox": Limits(), "no-sandbox": Limits(sandbox=False)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--modes", default=",".join(MODES),
                        help="comma-separated, graded on the same class (several: alternating, assignment by "
                             "assignment) "
                             "(default: %(default)s)")
    parser.add_argument("assignments", nargs="*")
    args = parser.parse_args()
    names = args.assignments or repository().assignments()
    modes = args.modes.split(",")
    personas = [f"{KINDS[i % len(KINDS)]}-{i // len(KINDS) + 1}" for i in range(args.students)]
    rows, totals = [], {}
    print(f"{args.students} submissions x {len(names)} assignments, jobs={args.jobs}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    with tempfile.TemporaryDirectory() as tmp:
        course = simulate.make_class(Path(tmp) / "course", names, personas=personas)
        rounds = [names] if len(modes) == 1 else [[name] for name in names]
        for i, batch in enumerate(rounds):
            for mode in modes if i % 2 == 0 else modes[::-1]:
                print(f"{mode}:", flush=True)
                graded = _grade(course, batch, args.students, jobs=args.jobs, limits=MODES[mode])
                if len(rounds) > 1:  # one row per assignment: all of its time, feedback included
                    graded = [_row(batch[0], args.students, graded[-1]["seconds"])]
                rows += [{"mode": mode, **row} for row in graded]
                totals[mode] = totals.get(mode, 0.0) + graded[-1]["seconds"]
        if len(rounds) > 1:
            n = args.students * len(names)
            rows += [{"mode": mode, **_row("TOTAL", n, seconds)} for mode, seconds in totals.items()]
    if len(totals) > 1:
        base = totals.get("no-sandbox")
        print("side by side: " + ", ".join(
            f"{mode} {seconds:.0f} s" + (f" ({seconds / base - 1:+.1%})" if base and mode != "no-sandbox" else "")
            for mode, seconds in totals.items()))
    with open(Path(__file__).with_name("grade_scale.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
