"""Students who attack the grading machine get nothing from it, and nobody else loses anything.

A small class (two solutions, one mistake) plus one hostile student per attack of
:data:`grading.simulate.SANDBOX_ATTACKS` is graded once with the real class grader, whose
kernels run in the OS sandbox (:mod:`grading.sandbox`). Each attacker's first answer is wrong
and followed by the attack; had an attack worked, the student would gain points (a read
solution is exec'd over the wrong answer; a written gradebook; a patched course package) or
damage others (deleted classmates, processes left running, a full disk, a leaked home). Each
attack prints what it achieved (``ATTACK-REPORT {json}``) into its own graded notebook.

The specification: every attacker gets exactly the grade of the same wrong answer without an
attack (graded in a class of its own, without attackers); the others are graded as in a class
without attackers; the course folder's inputs, the repository's packages and the gradebook's
manual scores are untouched; nothing the attackers started survives; nothing reached the
network or the instructor's home.
"""
import hashlib
import json
import re
import socket
import subprocess
import threading
from pathlib import Path

import pandas as pd
import pytest

from grading import cells, classroom, simulate
from grading.course import REPO, Course
from grading.limits import Limits
from grading import sandbox
from grading.sandbox import Policy

pytestmark = pytest.mark.xdist_group("sandbox_attacks")

ASSIGNMENT = simulate.HOSTILE_ASSIGNMENT
LIMITS = Limits(cell_timeout=10, submission_timeout=60)
CLASSMATES = ["solution-1", "solution-2", "mistake-1"]
ATTACKERS = [f"hostile-{name}" for name in simulate.SANDBOX_ATTACKS]
CONTROL = "hostile-no-attack"
FIRST_CELL_TESTS = ("test_affine_forward", "test_affine_backward")  # the attackers' wrong answer, without an attack
# what grade-class writes: everything else of the course folder is only read
OUTPUTS = ("autograded", "feedback", "reports", classroom.STATE)
PACKAGES = ("common", "grading")


def file_hashes(folder, skip=()):
    """``{relative path: sha256}`` of every file under ``folder`` (top-level names in
    ``skip``, gradebooks and ``__pycache__`` left out)."""
    folder = Path(folder)
    out = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder)
        if (rel.parts[0] in skip or "__pycache__" in rel.parts or p.name.startswith("gradebook.db")
                or not p.is_file()):
            continue
        out[str(rel)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def package_hashes():
    return {pkg: file_hashes(REPO / pkg) for pkg in PACKAGES}


def running(mark):
    """Command lines of the processes (anywhere on this machine) whose arguments hold ``mark``."""
    out = subprocess.run(["pgrep", "-af", mark], capture_output=True, text=True)
    return out.stdout.splitlines()


class Listener:
    """A TCP server on the grader's loopback that records every connection."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        while not self.stopped.is_set():
            try:
                conn, addr = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append((addr, conn.recv(100)))
                except OSError:
                    self.connections.append((addr, b""))

    def close(self):
        self.stopped.set()
        self.thread.join(5)
        self.sock.close()


def _restore_packages():
    """Take out of the course packages what an attack appended (only if one got through: the
    working tree must not stay poisoned)."""
    for pkg in PACKAGES:
        for p in (REPO / pkg).rglob("*.py"):
            text = p.read_text()
            if simulate.PACKAGE_MARK not in text:
                continue
            if p.name == "attack_9876.py":
                p.unlink()
            else:
                p.write_text(re.sub(r"\n[^\n]*" + re.escape(simulate.PACKAGE_MARK) + r"[^\n]*\n",
                                    "", text))


def grades_of(course):
    grades = pd.read_csv(course / "reports" / "grades.csv").fillna("")
    return grades.set_index("student")


def cell_scores(course, student):
    rows = [r for r in Course(course).grades() if r["student"] == student]
    return {r["test"]: (r["score"], r["max_score"]) for r in rows}


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The classmates and the attackers' wrong answer, graded in a class without attackers."""
    course = simulate.make_class(tmp_path_factory.mktemp("reference") / "course", [ASSIGNMENT],
                                 personas=CLASSMATES + [CONTROL]).root
    classroom.grade_class(course, [ASSIGNMENT], jobs=2, limits=LIMITS, show_progress=False)
    return {s: cell_scores(course, s) for s in CLASSMATES + [CONTROL]}


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    """The class with its attackers, graded once; what was there before and what is left."""
    listener = Listener()
    root = tmp_path_factory.mktemp("attacked") / "course"
    course = simulate.make_class(root, [ASSIGNMENT], personas=CLASSMATES + ATTACKERS,
                                 port=listener.port).root
    before = file_hashes(course, skip=OUTPUTS)
    packages_before = package_hashes()
    try:
        classroom.grade_class(course, [ASSIGNMENT], jobs=2, limits=LIMITS, show_progress=False)
    finally:
        listener.close()
        packages_after = package_hashes()
        survivors = {m: running(m) for m in simulate.SURVIVOR_MARKS}
        _restore_packages()
    yield {"course": course, "before": before, "packages_before": packages_before,
           "packages_after": packages_after, "survivors": survivors, "listener": listener}
    (REPO / simulate.ESCAPE_FILE).unlink(missing_ok=True)  # should an escape reach that far
    for lines in survivors.values():  # do not leave them running if they did survive
        for line in lines:
            subprocess.run(["kill", "-9", line.split()[0]], capture_output=True)


def attack_report(course, student):
    """The ``ATTACK-REPORT`` the attack printed in the student's graded notebook, or None."""
    path = course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    for cell in cells.read(path).cells:
        for out in cell.get("outputs", []):
            for line in str(out.get("text", "")).splitlines():
                if line.startswith("ATTACK-REPORT "):
                    return json.loads(line[len("ATTACK-REPORT "):])
    return None


# ------------------------------------------------------------------------------- grades
@pytest.mark.parametrize("student", ATTACKERS)
def test_an_attacker_gets_exactly_the_grade_of_its_wrong_answer(attacked, reference, student):
    course = attacked["course"]
    assert simulate.expected(student, ASSIGNMENT) == "cell0"
    scores = cell_scores(course, student)
    control = dict(reference[CONTROL])
    if student == "hostile-probe-escape":  # its cell kills the kernel: stubbed, its tests get 0
        control.update({t: (0.0, top) for t, (_, top) in control.items() if t in FIRST_CELL_TESTS})
    assert scores == control, f"{student}: {grades_of(course).loc[student].notes}"
    assert any(score < top for score, top in control.values()), "the wrong answer loses points"


@pytest.mark.parametrize("student", CLASSMATES)
def test_classmates_are_graded_as_in_a_class_without_attackers(attacked, reference, student):
    course = attacked["course"]
    assert cell_scores(course, student) == reference[student]
    row = grades_of(course).loc[student]
    if simulate.expected(student, ASSIGNMENT) == "full":
        assert row.points == row.max_points > 0, row.notes
    else:
        assert 0 < row.points < row.max_points, row.notes


def test_every_student_has_a_grade_and_a_graded_notebook(attacked):
    course = attacked["course"]
    grades = grades_of(course)
    assert sorted(grades.index) == sorted(CLASSMATES + ATTACKERS)
    for student in grades.index:
        assert (course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file()
        assert (course / "feedback" / student / ASSIGNMENT / f"{ASSIGNMENT}.html").is_file()


# ------------------------------------------------------------- what each attack achieved
# the attacks that report from inside the kernel (probe-escape kills its kernel instead)
REPORTING = [a for a in simulate.SANDBOX_ATTACKS if a != "probe-escape"]


def bound_by_the_sandbox(path):
    """``path`` is, or leads to, a folder the sandbox binds read-only (the Python install, the
    data-set cache...): what a kernel sees there is meant to be seen."""
    return any((p + "/").startswith(path.rstrip("/") + "/") for p in sandbox.read_only_paths())


@pytest.mark.parametrize("attack", REPORTING)
def test_each_attack_ran_to_its_end_and_achieved_nothing(attacked, attack):
    report = attack_report(attacked["course"], f"hostile-{attack}")
    assert report is not None, "the attack did not run (no ATTACK-REPORT in its graded notebook)"
    assert "error" not in report, report
    assert [a for a in report["achieved"] if not bound_by_the_sandbox(a)] == [], report


@pytest.mark.parametrize("attack", ["read-solution", "read-classmate", "write-gradebook",
                                    "delete-classmates"])
def test_nothing_of_the_course_can_be_found_from_a_kernel(attacked, attack):
    report = attack_report(attacked["course"], f"hostile-{attack}")
    assert report["found"] == [], report


def test_processes_are_capped(attacked):
    report = attack_report(attacked["course"], "hostile-fork-bomb")
    assert report["fork_failed"], report
    assert report["children"] <= Policy().max_processes, report


def test_files_are_capped_in_size(attacked):
    report = attack_report(attacked["course"], "hostile-big-file")
    assert len(report["written"]) == 2 and len(report["errors"]) == 2, report
    assert all(0 < n <= Policy().max_file_bytes for n in report["written"].values()), report


def test_the_network_and_the_graders_loopback_are_out_of_reach(attacked):
    report = attack_report(attacked["course"], "hostile-network")
    assert len(report["errors"]) == 2, report  # the listener's port was tried too
    assert attacked["listener"].connections == []


def test_the_instructors_home_is_not_there(attacked):
    report = attack_report(attacked["course"], "hostile-home")
    assert "/root" in report["homes"], report
    assert report["keys"] == {}, report
    assert [a for a in report["achieved"] if not bound_by_the_sandbox(a)] == [], report


def test_processes_started_in_a_kernel_were_running_there(attacked):
    """The survivors did start (so that none surviving below means something)."""
    report = attack_report(attacked["course"], "hostile-survivors")
    assert report["errors"] == [], report
    assert len(report["running"]) == 3, report


# ---------------------------------------------------------------------- what is left
def test_the_course_folder_is_unchanged_except_for_the_graders_outputs(attacked):
    course = attacked["course"]
    after = file_hashes(course, skip=OUTPUTS)
    changed = sorted(p for p in set(after) | set(attacked["before"])
                     if after.get(p) != attacked["before"].get(p))
    assert changed == []
    assert not (course / simulate.ESCAPE_FILE).exists()
    assert not list(course.rglob(simulate.BIG_FILE)) and not list(Path("/tmp").glob(simulate.BIG_FILE))


def test_every_classmate_folder_is_still_there(attacked):
    course = attacked["course"]
    for student in CLASSMATES + ATTACKERS:
        assert (course / "submitted" / student / ASSIGNMENT).is_dir()
        assert (course / "autograded" / student / ASSIGNMENT).is_dir()


@pytest.mark.parametrize("package", PACKAGES)
def test_the_course_packages_are_unchanged(attacked, package):
    before, after = attacked["packages_before"][package], attacked["packages_after"][package]
    assert sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p)) == []


def test_nobody_set_a_manual_score_or_extra_credit(attacked):
    from nbgrader.api import Grade

    with Course(attacked["course"]).gradebook() as gb:
        grades = gb.db.query(Grade).all()
        assert grades
        tampered = [(g.student.id, g.name, g.manual_score, g.extra_credit)
                    for g in grades if g.manual_score is not None or g.extra_credit]
    assert tampered == []


@pytest.mark.parametrize("mark", simulate.SURVIVOR_MARKS)
def test_no_process_an_attacker_started_survives_grading(attacked, mark):
    assert attacked["survivors"][mark] == []
