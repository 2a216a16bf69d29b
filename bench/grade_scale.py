"""Class-scale grading benchmark: N simulated submissions per assignment, graded end to end.

    python bench/grade_scale.py [--students 100] [--jobs N] [assignment ...]
    python bench/grade_scale.py --workers 1,2,3 [--students 10] [assignment ...]
    python bench/grade_scale.py --scheduler tcp://HOST:8786 [--students 10] [assignment ...]

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

``--workers 1,2,3`` compares the local pool with a Dask distributed cluster (grade-class
``--scheduler``) at the same number of worker processes: for each count N, a cluster of N
single-thread workers on 127.0.0.1 (Dask's ``LocalCluster``: a scheduler and N worker
processes talking TCP) against the local pool with ``--jobs N``, the two alternating
assignment by assignment as above; the cluster is started before and kept for all of its
assignments, as a real one is. ``--scheduler`` does the same on an existing cluster (N: its
workers' threads). Both write bench/grade_cluster.csv.
"""
import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

from grading import classroom, report, simulate
from grading.cluster import Cluster
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


def _grade(course, names, students, *, jobs, limits, cluster=None):
    """Grade every submission of ``course`` once under ``limits`` (on ``cluster``, if given);
    returns the timing rows."""
    rows = []
    total_start = time.perf_counter()
    clock = _Clock()
    states = classroom.grade_assignments(course, names, jobs=jobs, limits=limits, progress=clock,
                                         feedback=True, force=True, cluster=cluster)
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


def _side_by_side(totals, base):
    print("side by side: " + ", ".join(
        f"{mode} {seconds:.0f} s" + (f" ({seconds / totals[base] - 1:+.1%})"
                                     if mode != base else "")
        for mode, seconds in totals.items()), flush=True)


def _write(rows, name):
    with open(Path(__file__).with_name(name), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def compare_cluster(course, names, students, *, counts, scheduler=None):
    """The local pool against a Dask cluster at each worker count; returns the rows."""
    from distributed import LocalCluster

    limits, rows = Limits(), []
    for workers in counts:
        local = None
        if scheduler is None:
            local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                 host="127.0.0.1", dashboard_address=None)
        with Cluster.connect(scheduler or local.scheduler_address, limits=limits) as cluster:
            workers = cluster.slots()
            modes = {f"local pool, {workers} jobs": None,
                     f"Dask, {workers} workers": cluster}
            totals = dict.fromkeys(modes, 0.0)
            for i, name in enumerate(names):
                for mode in list(modes) if i % 2 == 0 else list(modes)[::-1]:
                    print(f"{mode}:", flush=True)
                    graded = _grade(course, [name], students, jobs=workers, limits=limits,
                                    cluster=modes[mode])
                    rows.append({"mode": mode, "workers": workers,
                                 **_row(name, students, graded[-1]["seconds"])})
                    totals[mode] += graded[-1]["seconds"]
        if local is not None:
            local.close()
        n = students * len(names)
        rows += [{"mode": mode, "workers": workers, **_row("TOTAL", n, seconds)}
                 for mode, seconds in totals.items()]
        _side_by_side(totals, base=next(iter(modes)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=default_jobs())
    parser.add_argument("--modes", default=",".join(MODES),
                        help="comma-separated, graded on the same class (several: alternating, assignment by "
                             "assignment) "
                             "(default: %(default)s)")
    parser.add_argument("--workers", help="comma-separated worker counts: the local pool "
                        "against a Dask cluster of as many workers on this machine")
    parser.add_argument("--scheduler", help="the local pool against this Dask cluster")
    parser.add_argument("assignments", nargs="*")
    args = parser.parse_args()
    names = args.assignments or repository().assignments()
    modes = args.modes.split(",")
    personas = [f"{KINDS[i % len(KINDS)]}-{i // len(KINDS) + 1}" for i in range(args.students)]
    rows, totals = [], {}
    jobs = f"workers={args.workers or args.scheduler}" if args.workers or args.scheduler \
        else f"jobs={args.jobs}"
    print(f"{args.students} submissions x {len(names)} assignments, {jobs}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    with tempfile.TemporaryDirectory() as tmp:
        course = simulate.make_class(Path(tmp) / "course", names, personas=personas)
        if args.workers or args.scheduler:
            counts = [int(n) for n in args.workers.split(",")] if args.workers else [0]
            rows = compare_cluster(course, names, args.students, counts=counts,
                                   scheduler=args.scheduler)
            _write(rows, "grade_cluster.csv")
            return
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
        _side_by_side(totals, base="no-sandbox" if "no-sandbox" in totals else modes[0])
    _write(rows, "grade_scale.csv")


if __name__ == "__main__":
    main()
