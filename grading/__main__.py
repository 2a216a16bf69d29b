"""Instructor commands: ``python -m grading demo`` and ``python -m grading release``."""
import argparse
from pathlib import Path

from grading import pipeline


def release(names=None):
    """Regenerate ``release/<assignment>`` from ``source/`` with nbgrader.

    Generation happens in a scratch course folder, so the repository's own gradebook is not
    touched; the result replaces the committed release.
    """
    import shutil
    import tempfile

    for assignment in names or pipeline.assignments():
        with tempfile.TemporaryDirectory() as tmp:
            course = pipeline.new_course(tmp, [assignment])
            generated = pipeline.generate_release(course, assignment)
            dest = pipeline.REPO / "release" / assignment
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(generated, dest)
        print(f"release/{assignment} regenerated")


def quality(jobs=2):
    """Grade every catalogue entry of every assignment and write docs/grading_quality.md."""
    import tempfile
    import time

    from grading import catalogue

    results = {}
    start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for assignment in pipeline.assignments():
            t0 = time.perf_counter()
            entries, rows = catalogue.grade(assignment, Path(tmp) / assignment, jobs=jobs)
            results[assignment] = catalogue.outcomes(entries, rows)
            print(catalogue.summary_row(assignment, results[assignment]),
                  f"({time.perf_counter() - t0:.0f} s)", flush=True)
    path = catalogue.write_report(results)
    print(f"wrote {path.relative_to(pipeline.REPO)} in {time.perf_counter() - start:.0f} s")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="release every assignment, autograde two simulated students "
                                "(solution and blank) and print the score table")
    rel = sub.add_parser("release", help="regenerate release/ from source/ (nbgrader generate_assignment)")
    rel.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    gc = sub.add_parser("grade-class", help="release, autograde, feedback, export and report "
                                           "every assignment of a course folder")
    gc.add_argument("--course", type=Path, default=pipeline.REPO,
                    help="course folder with source/ and submitted/ (default: the repository)")
    gc.add_argument("--jobs", type=int, default=None,
                    help="parallel nbgrader runs (default: the number of cores + 1)")
    gc.add_argument("--force", action="store_true", help="regrade even unchanged submissions")
    gc.add_argument("--cell-timeout", type=int, default=30, help="seconds per cell (default 30)")
    gc.add_argument("--memory-gb", type=float, default=4, help="memory per submission (default 4)")
    gc.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    qual = sub.add_parser("quality", help="grade every catalogue entry and write docs/grading_quality.md")
    qual.add_argument("--jobs", type=int, default=2, help="parallel nbgrader runs (default 2)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from grading import demo
        demo.main()
    elif args.command == "release":
        release(args.assignments)
    elif args.command == "grade-class":
        from grading import classroom
        limits = classroom.Limits(cell_timeout=args.cell_timeout,
                                  memory_bytes=int(args.memory_gb * 2 ** 30))
        classroom.grade_class(args.course, args.assignments or None, jobs=args.jobs,
                              limits=limits, force=args.force)
        print(f"report: {args.course / 'reports' / 'report.md'}")
    elif args.command == "quality":
        quality(args.jobs)


if __name__ == "__main__":
    main()
