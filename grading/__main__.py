"""Instructor commands: ``python -m grading demo`` and ``python -m grading release``."""
import argparse

from grading import pipeline


def release_all():
    """Regenerate the repository's ``release/`` from ``source/`` with nbgrader."""
    for assignment in pipeline.assignments():
        pipeline.generate_release(pipeline.REPO, assignment)
        print(f"release/{assignment} regenerated")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("demo", help="release every assignment, autograde two simulated students "
                                "(solution and blank) and print the score table")
    sub.add_parser("release", help="regenerate release/ from source/ (nbgrader generate_assignment)")
    args = parser.parse_args(argv)
    if args.command == "demo":
        from grading import demo
        demo.main()
    elif args.command == "release":
        release_all()


if __name__ == "__main__":
    main()
