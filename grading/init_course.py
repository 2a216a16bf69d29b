"""``python -m grading init-course DIR [--roster students.csv]``: a complete course folder.

What nbgrader and formgrader need before an instructor releases, collects and grades:

* ``nbgrader_config.py`` (the repository's; an existing one is kept);
* ``source/<assignment>/`` of every assignment, and its student version in ``release/``
  made by ``nbgrader generate_assignment`` (which also enters the assignment, its notebooks
  and graded cells in the gradebook, as formgrader and ``nbgrader autograde`` need);
* the exchange folder the config names (``Exchange.root``), writable by everyone as nbgrader's
  documentation sets it up (``chmod ugo+rw``), so formgrader's *Release* and *Collect* and the
  students' *Fetch* and *Submit* work;
* with ``--roster``, the students of a CSV file (columns ``id``, and optionally
  ``first_name``, ``last_name``, ``email``, ``lms_user_id``) imported with
  ``nbgrader db student import``, so formgrader shows their names.

Running it again on the same folder adds what is missing and changes nothing else.
"""
import csv
import shutil
import stat
from pathlib import Path

from grading.course import (CONFIG_FILE, COPY_IGNORE, REPO, Course, CourseError,
                            repository)

EXCHANGE_MODE = 0o777  # rwx for user, group and others: nbgrader's `chmod ugo+rw` (+x: a folder)
ROSTER_ID = "id"       # the one column nbgrader db student import requires


def exchange_root(course):
    """The exchange folder of ``course`` (its config's ``Exchange.root``), or None when the
    config leaves nbgrader's default (outside the course, set up by an administrator)."""
    root = course.config.get("Exchange", {}).get("root")
    return Path(root) if root else None


def read_roster(path):
    """The student ids of a roster CSV file; :class:`CourseError` when it has no ``id``
    column or an empty id."""
    path = Path(path)
    if not path.is_file():
        raise CourseError(f"roster {path} not found")
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if not rows or ROSTER_ID not in rows[0]:
        raise CourseError(f"roster {path}: needs a header row with an `{ROSTER_ID}` column "
                          "(and optionally first_name, last_name, email)")
    ids = [row[ROSTER_ID].strip() for row in rows]
    if not all(ids):
        raise CourseError(f"roster {path}: row {ids.index('') + 2} has no {ROSTER_ID}")
    return ids


def init_course(root, *, roster=None, assignments=None):
    """Make ``root`` a complete course folder (see the module's description).

    Parameters
    ----------
    root : path
        Created if missing.
    roster : path, optional
        A CSV file of students for ``nbgrader db student import``.
    assignments : list of str, optional
        Default: every assignment of the repository.

    Returns
    -------
    Course
    """
    root = Path(root)
    ids = read_roster(roster) if roster is not None else []  # before anything is written
    root.mkdir(parents=True, exist_ok=True)
    if not (root / CONFIG_FILE).exists():
        shutil.copy2(REPO / CONFIG_FILE, root / CONFIG_FILE)
    course = Course(root)
    repo = repository()
    names = assignments or repo.assignments()
    for name in names:
        if not course.source(name).exists():
            shutil.copytree(repo.source(name), course.source(name), ignore=COPY_IGNORE)
    missing = [name for name in names if not course.release(name).exists()]
    if missing:  # one nbgrader process for all of them
        course.nbgrader("generate_assignment", missing[0] if len(missing) == 1 else "*")
    exchange = exchange_root(course)
    if exchange is not None:
        exchange.mkdir(parents=True, exist_ok=True)
        exchange.chmod(EXCHANGE_MODE)
    if ids:
        course.nbgrader("db", "student", "import", str(Path(roster).resolve()))
    return course


def describe(course):
    """What :func:`init_course` made, and what to do next, as lines to print."""
    exchange = exchange_root(course)
    with course.gradebook() as gb:
        students = len(gb.students)
    lines = [f"course folder {course.root}:",
             f"  {CONFIG_FILE} (course id {course.layout.course_id!r})",
             f"  source/ and release/: {len(course.assignments())} assignments",
             f"  gradebook {course.gradebook_path.name}: {students} students"]
    if exchange is not None:
        mode = stat.filemode(exchange.stat().st_mode)
        lines.append(f"  exchange folder {exchange} ({mode})")
    lines += ["next: `cd " + str(course.root) + " && jupyter lab` (formgrader: Nbgrader menu), "
              "release with `nbgrader release_assignment NAME`, grade with "
              f"`python -m grading grade-class --course {course.root}`"]
    return lines
