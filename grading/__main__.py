"""Instructor commands: ``python -m grading {init-course, grade-class, check-sandbox, release,
demo, quality}``.

* ``init-course``: make a folder a complete course (config, sources, releases, exchange
  folder, a roster imported into the gradebook; :mod:`grading.init_course`);
* ``grade-class``: release, autograde, feed back, export and report every assignment of a
  course folder (:mod:`grading.classroom`);
* ``check-sandbox``: start one kernel in the grading sandbox and show which walls hold
  (:mod:`grading.sandbox_check`);
* ``release``: regenerate the repository's ``release/`` from ``source/`` with nbgrader, in a
  scratch course folder (the repository's gradebook is not touched);
* ``demo``: a simulated class with one student of every kind (solutions, alternatives,
  mistakes, blanks, late and hostile submissions; ``--full``: every persona), graded end to
  end (:mod:`grading.demo`);
* ``quality``: grade every entry of the mistake catalogues and write
  ``docs/grading_quality.md`` (:mod:`grading.catalogue`);
* ``student-edition``: the repository students get while one assignment is open, or the
  self-study edition (:mod:`grading.edition`).
"""
import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from grading.course import REPO, Course, CourseError, repository
from grading.limits import Limits, default_jobs


def release(names=None):
    """Regenerate ``release/<assignment>`` from ``source/`` with nbgrader.

    Generation happens in a scratch course folder, so the repository's own gradebook is not
    touched; the result replaces the committed release.
    """
    repo = repository()
    for assignment in names or repo.assignments():
        with tempfile.TemporaryDirectory() as tmp:
            generated = Course.create(tmp, [assignment]).generate_release(assignment)
            dest = repo.release(assignment)
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(generated, dest)
        print(f"{dest.relative_to(REPO)} regenerated")


def quality(jobs, names=None):
    """Grade every catalogue entry and fuzzed variant of ``names`` (default: every assignment)
    and write their sections of docs/grading_quality.md (the others are kept)."""
    from grading import catalogue

    results = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for assignment in names or repository().assignments():
            t0 = time.perf_counter()
            entries, rows = catalogue.grade(assignment, Path(tmp) / assignment, jobs=jobs)
            results[assignment] = (catalogue.outcomes(entries, rows), rows)
            print(catalogue.summary_row(assignment, *results[assignment]),
                  f"({time.perf_counter() - t0:.0f} s)", flush=True)
    path = catalogue.update_report(results)
    print(f"wrote {path.relative_to(REPO)} in {time.perf_counter() - start:.0f} s")


def parser():
    defaults = Limits()
    top = argparse.ArgumentParser(prog="python -m grading", description=__doc__,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True)
    ic = sub.add_parser("init-course", help="make a folder a complete course: config, source/, "
                                            "release/, exchange folder, roster")
    ic.add_argument("folder", type=Path, help="the course folder (created if missing)")
    ic.add_argument("--roster", type=Path, help="CSV of students (columns id, first_name, "
                                                "last_name, email) for the gradebook")
    ic.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    gc = sub.add_parser("grade-class", help="release, autograde, feedback, export and report "
                                           "every assignment of a course folder")
    gc.add_argument("--course", type=Path, default=REPO,
                    help="course folder with source/ and submitted/ (default: the repository)")
    gc.add_argument("--jobs", type=int, default=default_jobs(),
                    help="parallel nbgrader runs (default: the number of cores + 1 = %(default)s)")
    gc.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    gc.add_argument("--cell-timeout", type=int, default=defaults.cell_timeout,
                    help="seconds per cell (default %(default)s)")
    gc.add_argument("--memory-gb", type=float, default=defaults.memory_bytes / 2 ** 30,
                    help="memory per submission, GiB (default %(default)s)")
    gc.add_argument("--scheduler", metavar="tcp://HOST:8786",
                    help="grade on the workers of this Dask scheduler (README, \"Grading on a "
                         "cluster\"); default: on this machine")
    gc.add_argument("--no-sandbox", action="store_true",
                    help="grade without the OS sandbox (student code then runs with your "
                         "rights; the report and every feedback page say so)")
    gc.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    sub.add_parser("check-sandbox", help="run one kernel in the grading sandbox and show what "
                                         "it can and cannot reach")
    rel = sub.add_parser("release", help="regenerate release/ from source/ (nbgrader generate_assignment)")
    rel.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    dm = sub.add_parser("demo", help="a simulated class (one student of every kind, hostile ones "
                                     "included) graded end to end; prints the score table")
    dm.add_argument("--full", action="store_true",
                    help="the whole simulated class (every persona hands in every assignment)")
    qual = sub.add_parser("quality", help="grade every catalogue entry and write docs/grading_quality.md")
    qual.add_argument("--jobs", type=int, default=2, help="parallel nbgrader runs (default %(default)s)")
    qual.add_argument("assignments", nargs="*", help="assignment names (default: all; the "
                                                     "report keeps the others' sections)")
    ed = sub.add_parser("student-edition", help="write the student repository of the week an "
                                                "assignment is open (or the self-study edition)")
    ed.add_argument("out", type=Path, help="a new folder (with --git: the student git repository)")
    ed.add_argument("--open", required=True, metavar="NN",
                    help="the open assignment (a number, e.g. 08, or a name), or 'all' for the "
                         "self-study edition (every assignment closed)")
    ed.add_argument("--solutions", action="store_true",
                    help="add worked solutions of the closed assignments (hidden tests removed)")
    ed.add_argument("--git", action="store_true",
                    help="write the edition as the next commit of the git repository OUT")
    return top


def main(argv=None):
    args = parser().parse_args(argv)
    if args.command == "init-course":
        from grading import init_course

        try:
            course = init_course.init_course(args.folder, roster=args.roster,
                                             assignments=args.assignments or None)
        except CourseError as err:
            sys.exit(f"init-course: {err}")
        print("\n".join(init_course.describe(course)))
    elif args.command == "grade-class":
        from grading import classroom

        from grading.sandbox import SandboxError

        limits = Limits(cell_timeout=args.cell_timeout,
                        memory_bytes=int(args.memory_gb * 2 ** 30), sandbox=not args.no_sandbox)
        try:
            course = Course.open(args.course)
            classroom.grade_class(course, args.assignments or None, jobs=args.jobs,
                                  limits=limits, force=args.force, scheduler=args.scheduler)
        except SandboxError as err:
            sys.exit(f"grade-class: nothing was graded: {err}\n(or grade without the sandbox, "
                     "at your own risk: grade-class --no-sandbox)")
        except CourseError as err:
            sys.exit(f"grade-class: {err}")
        except classroom.GradingStopped as err:
            sys.exit(f"grade-class: {err}")
        print(f"report: {course.root / 'reports' / 'report.md'}")
    elif args.command == "check-sandbox":
        from grading import sandbox_check
        from grading.sandbox import SandboxError

        try:
            findings = sandbox_check.check()
        except SandboxError as err:
            sys.exit(f"check-sandbox: {err}")
        print(sandbox_check.table(findings))
        if not all(f.held for f in findings):
            sys.exit("check-sandbox: some walls do not hold (lines marked NO)")
        print("check-sandbox: every wall holds")
    elif args.command == "release":
        release(args.assignments)
    elif args.command == "demo":
        from grading import demo

        demo.main(full=args.full)
    elif args.command == "quality":
        quality(args.jobs, args.assignments or None)
    elif args.command == "student-edition":
        student_edition(args)


def student_edition(args):
    """Build, check and write (or commit) one student edition; exit 1 if the check finds a leak."""
    from grading import edition

    try:
        built, report = edition.student_edition(args.out, open_text=args.open,
                                                with_solutions=args.solutions, git=args.git)
    except (ValueError, FileExistsError) as err:
        sys.exit(f"student-edition: {err}")
    print(f"edition {built.label}: {len(built.lectures)} lectures, "
          f"{len(built.assignments)} assignments, {len(built.solutions)} worked solutions, "
          f"{len(built.withheld)} objects of common withheld")
    for line in report.lines():
        print(f"  {line}")
    if not report.clean:
        sys.exit("student-edition: the edition contains what students must not see (above)"
                 + ("; nothing was committed" if args.git else ""))
    print(f"written to {args.out}" + (" (committed)" if args.git else ""))


if __name__ == "__main__":
    main()
