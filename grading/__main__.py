"""Instructor commands: ``python -m grading demo`` and ``python -m grading release``."""
import argparse

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


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="release every assignment, autograde two simulated students "
                                "(solution and blank) and print the score table")
    rel = sub.add_parser("release", help="regenerate release/ from source/ (nbgrader generate_assignment)")
    rel.add_argument("assignments", nargs="*", help="assignment names (default: all)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from grading import demo
        demo.main()
    elif args.command == "release":
        release(args.assignments)


if __name__ == "__main__":
    main()
