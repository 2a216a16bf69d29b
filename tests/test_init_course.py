"""grading/init_course.py and the whole exchange loop an instructor and students run with it.

A course folder made by ``python -m grading init-course`` with a roster; the instructor
releases with nbgrader, two students fetch and submit through the exchange from their own
folders, the instructor collects and runs ``grade-class``; what it leaves in ``autograded/``
and ``feedback/`` must be what nbgrader's own ``autograde`` and ``generate_feedback`` leave
(file names, modes, timestamps, secrets), so ``release_feedback`` and the students'
``fetch_feedback`` work.
"""
import csv
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from grading import cells, classroom, init_course
from grading.course import CONFIG_FILE, REPO, Course, nbgrader_environment, repository
from grading.limits import Limits

ASSIGNMENT = "10_dropout"
ROSTER = [{"id": "ann", "first_name": "Ann", "last_name": "Lee", "email": "ann@example.org"},
          {"id": "bob", "first_name": "Bob", "last_name": "Kim", "email": "bob@example.org"}]
pytestmark = pytest.mark.xdist_group("init_course")


def write_roster(path, rows=ROSTER):
    with open(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(*args, cwd, check=True):
    out = subprocess.run([sys.executable, *args], cwd=cwd, env=nbgrader_environment(),
                         capture_output=True, text=True, timeout=600)
    if check:
        assert out.returncode == 0, f"{args} failed:\n{out.stdout[-1500:]}\n{out.stderr[-3000:]}"
    return out


def test_init_course_makes_a_complete_course_folder(tmp_path):
    roster = write_roster(tmp_path / "students.csv")
    names = [ASSIGNMENT, "06_optimizers"]
    out = run("-m", "grading", "init-course", str(tmp_path / "course"), *names,
              "--roster", str(roster), cwd=tmp_path)
    course = Course(tmp_path / "course")
    assert (course.root / CONFIG_FILE).read_bytes() == (REPO / CONFIG_FILE).read_bytes()
    assert course.assignments() == sorted(names)
    for name in course.assignments():
        assert sorted(p.name for p in course.release(name).iterdir()) == \
            sorted(p.name for p in repository().release(name).iterdir())
    exchange = init_course.exchange_root(course)
    assert exchange.is_dir() and stat.S_IMODE(exchange.stat().st_mode) == 0o777
    students = course.students()
    assert students["ann"]["first_name"] == "Ann" and students["bob"]["last_name"] == "Kim"
    with course.gradebook() as gb:
        assert sorted(a.name for a in gb.assignments) == course.assignments()
    assert "2 students" in out.stdout and str(exchange) in out.stdout
    # formgrader's check of the exchange is nbgrader's list command: it works now
    listed = run("-m", "nbgrader", "list", cwd=course.root)
    assert "Unwritable" not in listed.stdout + listed.stderr
    # a second run keeps what is there (a changed config, the gradebook) and adds nothing twice
    with open(course.config_path, "a") as fh:
        fh.write("\n# the instructor's own setting\n")
    init_course.init_course(course.root, roster=roster, assignments=names)
    assert course.config_path.read_text().endswith("# the instructor's own setting\n")
    assert len(course.students()) == 2


def test_a_bad_roster_is_refused_before_anything_is_written(tmp_path):
    bad = tmp_path / "students.csv"
    bad.write_text("name,mail\nAnn,ann@example.org\n")
    out = run("-m", "grading", "init-course", str(tmp_path / "course"), "--roster", str(bad),
              cwd=tmp_path, check=False)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "needs a header row with an `id` column" in out.stderr
    assert not (tmp_path / "course").exists()


def test_grade_class_on_a_folder_without_config_says_what_to_run(tmp_path):
    (tmp_path / "source").mkdir()
    out = run("-m", "grading", "grade-class", "--course", str(tmp_path), cwd=tmp_path,
              check=False)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert f"python -m grading init-course {tmp_path}" in out.stderr
    assert out.stderr.strip().count("\n") == 0, out.stderr
    assert not (tmp_path / CONFIG_FILE).exists(), "nothing is written into a folder that is no course"


def tree(folder):
    """``{relative path: (mode, bytes of a non-notebook file)}`` of every file under folder."""
    return {str(p.relative_to(folder)): (stat.S_IMODE(p.stat().st_mode),
                                         None if p.suffix in (".ipynb", ".html") else p.read_bytes())
            for p in sorted(Path(folder).rglob("*")) if p.is_file()}


def test_exchange_round_trip_with_grade_class(tmp_path):
    """release -> fetch -> submit -> collect -> grade-class -> release_feedback ->
    fetch_feedback, every step the real nbgrader command; grade-class's folders equal
    nbgrader autograde's and generate_feedback's."""
    course = init_course.init_course(tmp_path / "course", roster=write_roster(tmp_path / "r.csv"),
                                     assignments=[ASSIGNMENT])
    exchange = init_course.exchange_root(course)
    run("-m", "nbgrader", "release_assignment", ASSIGNMENT, cwd=course.root)
    solution = cells.solution_sources(course.source_notebook(ASSIGNMENT, f"{ASSIGNMENT}.ipynb"))
    # each student's own folder (the virtualenv's config would put them in the repository's)
    student_args = [f"--Exchange.root={exchange}", "--CourseDirectory.course_id=dl2",
                    "--Exchange.assignment_dir=."]
    homes = {}
    for sid in ("ann", "bob"):
        home = homes[sid] = tmp_path / "students" / sid
        home.mkdir(parents=True)
        cache = [f"--Exchange.cache={home / '.cache'}", f"--student={sid}"]
        run("-m", "nbgrader", "fetch_assignment", ASSIGNMENT, *student_args, cwd=home)
        path = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        if sid == "ann":
            cells.write(cells.fill_answers(cells.read(path), solution), path)
        run("-m", "nbgrader", "submit", ASSIGNMENT, *student_args, *cache, cwd=home)
    run("-m", "nbgrader", "collect", ASSIGNMENT, cwd=course.root)
    for sid in homes:
        for name in ("timestamp.txt", "submission_secret.txt"):
            assert (course.submitted(sid, ASSIGNMENT) / name).is_file(), name

    # nbgrader's own autograde and generate_feedback on a copy, for comparison
    reference = Course(shutil.copytree(course.root, tmp_path / "reference", symlinks=True))
    reference.nbgrader("autograde", ASSIGNMENT)
    reference.generate_feedback(ASSIGNMENT)

    states, _ = classroom.grade_class(course, [ASSIGNMENT], jobs=2, show_progress=False,
                                      limits=Limits(cell_timeout=10, submission_timeout=60))
    for step in ("autograded", "feedback"):
        assert tree(course.root / step) == tree(reference.root / step), step
    with course.gradebook() as gb, reference.gradebook() as ref:
        for sid in homes:
            mine = gb.find_submission(ASSIGNMENT, sid)
            theirs = ref.find_submission(ASSIGNMENT, sid)
            assert mine.timestamp == theirs.timestamp is not None
            assert mine.score == theirs.score
    assert states[ASSIGNMENT]["ann"]["timestamp"]

    run("-m", "nbgrader", "release_feedback", ASSIGNMENT, cwd=course.root)
    for sid, points in (("ann", "10.0 / 10.0"), ("bob", "0.0 / 10.0")):
        home = homes[sid]
        run("-m", "nbgrader", "fetch_feedback", ASSIGNMENT, *student_args,
            f"--Exchange.cache={home / '.cache'}", f"--student={sid}", cwd=home)
        pages = list((home / ASSIGNMENT / "feedback").rglob(f"{ASSIGNMENT}.html"))
        assert len(pages) == 1, f"{sid} fetched {pages}"
        assert f"Score: {points}" in " ".join(pages[0].read_text().split()), sid
