"""Grading a whole class with the real nbgrader pipeline, hostile submissions included.

One simulated class (every persona of grading.simulate, assignment 04_layer_classes) is
graded once per test session; the tests then check each student's grade and report line, the
idempotent regrade, recovery after a killed run, and the feedback.
"""
import hashlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from grading import cells, classroom, forkkernel, simulate
from grading.course import REPO, Course, nbgrader_environment, repository
from grading.limits import Limits

ASSIGNMENT = simulate.HOSTILE_ASSIGNMENT
LIMITS = Limits(cell_timeout=5, submission_timeout=40)
pytestmark = pytest.mark.xdist_group("classroom")


def tree_hash(folder):
    h = hashlib.sha256()
    for p in sorted(Path(folder).rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + p.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory):
    course = simulate.make_class(tmp_path_factory.mktemp("class") / "course", [ASSIGNMENT]).root
    before = tree_hash(course / "submitted")
    states, elapsed = classroom.grade_class(course, [ASSIGNMENT], jobs=2, limits=LIMITS,
                                            show_progress=False)
    grades = pd.read_csv(course / "reports" / "grades.csv").fillna("")
    return course, grades.set_index("student"), before


def cell_scores(course, student):
    rows = [r for r in Course(course).grades() if r["student"] == student]
    return {r["test"]: (r["score"], r["max_score"]) for r in rows}


FIRST_CELL_TESTS = ("test_affine_forward", "test_affine_backward")


@pytest.mark.parametrize("student", simulate.PERSONAS)
def test_every_student_is_graded_as_expected(graded_class, student):
    course, grades, _ = graded_class
    row = grades.loc[student]
    points, max_points = row.points, row.max_points
    outcome = simulate.expected(student, ASSIGNMENT)
    detail = f"{student}: {points}/{max_points}; notes: {row.notes}"
    if outcome == "full":
        assert points == max_points > 0, detail
    elif outcome == "zero":
        assert points == 0, detail
    elif outcome in ("partial", "mistake"):
        assert 0 < points < max_points, detail
    elif outcome == "cell0":
        per_test = cell_scores(course, student)
        others = {t: s for t, s in per_test.items() if t not in FIRST_CELL_TESTS}
        assert all(score == top for score, top in others.values()), detail
        assert points < max_points, detail


REASONS = {
    "hostile-infinite-loop": "ran past",
    "hostile-sigint-ignoring-loop": "ignored interrupts",
    "hostile-os-exit": "stopped the Python kernel",
    "hostile-kill-9": "stopped the Python kernel",
    "hostile-alloc-20gb": "ran out of memory",
    "hostile-sys-exit": "called exit()",
    "hostile-patch-numpy": "REVIEW",
    "hostile-patch-gradient-check": "REVIEW",
    "hostile-patch-builtins": "REVIEW",
    "hostile-patch-test-helpers": "",
    "hostile-guard-off": "grading guard switched off",
    "hostile-edited-tests": "restored from the release",
    "hostile-deleted-tests": "restored from the release",
    "hostile-reordered-cells": "restored from the release",
    "hostile-duplicated-tests": "restored from the release",
    "hostile-invalid-json": "not a readable notebook",
    "hostile-renamed-notebook": "renamed",
    "hostile-missing-notebook-extra-file": "not submitted",
}


@pytest.mark.parametrize("student,reason", sorted(REASONS.items()))
def test_report_gives_a_short_reason(graded_class, student, reason):
    course, grades, _ = graded_class
    assert reason in grades.loc[student].notes
    report = (course / "reports" / "report.md").read_text()
    assert f"{ASSIGNMENT} / {student}" in report or not reason


def test_report_files(graded_class):
    course, grades, _ = graded_class
    out = course / "reports"
    assert len(grades) == len(simulate.PERSONAS)
    rates = pd.read_csv(out / "pass_rates.csv")
    assert set(rates.test) >= set(FIRST_CELL_TESTS)
    assert rates.pass_rate.is_monotonic_increasing
    assert (out / f"scores_{ASSIGNMENT}.png").stat().st_size > 5000
    assert (out / "nbgrader_export.csv").exists()
    text = (out / "report.md").read_text()
    assert f"![{ASSIGNMENT}: total scores](scores_{ASSIGNMENT}.png)" in text, "histogram embedded"
    assert f"{len(grades)} submissions of {len(grades)} students graded in" in text
    assert "## Notes per submission\n\n- " in text
    canvas = pd.read_csv(out / "grades_canvas.csv")
    assert sorted(canvas["SIS User ID"].dropna()) == sorted(grades.index)
    assert canvas[ASSIGNMENT].iloc[0] == grades.max_points.max(), "the Points Possible row"
    moodle = pd.read_csv(out / "grades_moodle.csv").set_index("ID number")
    assert (moodle[ASSIGNMENT] == grades.points.reindex(moodle.index)).all()


def test_timestamps_follow_the_submission_so_feedback_can_be_released(graded_class):
    """nbgrader's own autograde copies timestamp.txt to autograded/, generate_feedback on to
    feedback/, and release_feedback reads it there."""
    course, grades, _ = graded_class
    for student in grades.index:
        for name in ("timestamp.txt", "submission_secret.txt"):
            submitted = (course / "submitted" / student / ASSIGNMENT / name).read_bytes()
            for step in ("autograded", "feedback"):
                path = course / step / student / ASSIGNMENT / name
                assert path.read_bytes() == submitted, f"{step}/{student}/{name}: missing or changed"
    assert "submission_secret" not in " ".join(grades.notes), "nbgrader's own files are no news"
    (course / ".exchange").mkdir(exist_ok=True)
    out = subprocess.run([sys.executable, "-m", "nbgrader", "release_feedback", ASSIGNMENT],
                         cwd=course, env=nbgrader_environment(), capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    released = list((course / ".exchange").rglob("*.html"))
    assert len(released) == len(grades), "every student's feedback page is in the exchange"


def test_submissions_are_never_modified(graded_class):
    course, _, before = graded_class
    assert tree_hash(course / "submitted") == before


def test_feedback_shows_messages_but_no_hidden_tests_or_tracebacks(graded_class):
    course, _, _ = graded_class
    html = (course / "feedback" / "mistake-1" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    source = cells.read(REPO / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    hidden = []
    for c in source.cells:
        for region in cells.hidden_test_regions(c.source):
            hidden += [line.strip() for line in region.splitlines() if len(line.strip()) > 20]
    assert hidden
    for line in hidden:
        assert line not in html, f"hidden test line leaked into feedback: {line}"
    assert "Traceback (most recent call last)" not in html and "----&gt;" not in html
    assert "test_affine_backward" in html or "Affine" in html


def test_regrade_is_idempotent_and_replaces_only_what_changed(graded_class):
    course, grades, _ = graded_class
    # an instructor's manual adjustment on a submission that will not change
    with Course(course).gradebook() as gb:
        grade = gb.find_grade("test_relu", ASSIGNMENT, ASSIGNMENT, "solution-2")
        grade.manual_score = 1.5
        gb.db.commit()
    # blank-2 hands in the solution; solution-3's file gets damaged
    sub = course / "submitted"
    nb_name = f"{ASSIGNMENT}.ipynb"
    (sub / "blank-2" / ASSIGNMENT / nb_name).write_bytes(
        (sub / "solution-1" / ASSIGNMENT / nb_name).read_bytes())
    (sub / "solution-3" / ASSIGNMENT / nb_name).write_text("{ not json")
    state_dir = course / classroom.STATE / "state" / ASSIGNMENT
    written = {p.stem: p.stat().st_mtime_ns for p in state_dir.glob("*.json")}
    states, _ = classroom.grade_class(course, [ASSIGNMENT], jobs=2, limits=LIMITS,
                                      show_progress=False)
    again = pd.read_csv(course / "reports" / "grades.csv").fillna("").set_index("student")
    assert again.loc["blank-2"].points == again.loc["blank-2"].max_points
    assert again.loc["solution-3"].points == 0, "an ungradable submission kept a stale grade"
    assert "not a readable notebook" in again.loc["solution-3"].notes
    assert again.loc["solution-2"].points == again.loc["solution-2"].max_points - 0.5
    unchanged = [s for s in grades.index if s not in ("blank-2", "solution-3", "solution-2")]
    pd.testing.assert_series_equal(again.loc[unchanged].points, grades.loc[unchanged].points)
    # only the two changed submissions were regraded (their state files alone were rewritten)
    rewritten = {p.stem for p in state_dir.glob("*.json") if p.stat().st_mtime_ns != written[p.stem]}
    assert rewritten == {"blank-2", "solution-3"}
    text = (course / "reports" / "report.md").read_text()
    assert f": 2 graded in" in text and f"the other {len(grades) - 2} unchanged" in text


def test_killed_run_leaves_everything_intact_and_a_rerun_finishes(tmp_path):
    personas = [f"solution-{i}" for i in range(1, 4)] + ["mistake-1", "blank-1", "partial-1"]
    course = simulate.make_class(tmp_path / "course", [ASSIGNMENT], personas=personas).root
    before = tree_hash(course / "submitted")
    code = ("import sys; from grading import classroom; "
            "from grading.limits import Limits; "
            "classroom.grade_class(sys.argv[1], [sys.argv[2]], jobs=1, show_progress=False, "
            "limits=Limits(cell_timeout=5, submission_timeout=40, batch_size=1))")
    proc = subprocess.Popen([sys.executable, "-c", code, str(course), ASSIGNMENT],
                            env=nbgrader_environment(), start_new_session=True)
    state_dir = course / classroom.STATE / "state" / ASSIGNMENT
    deadline = time.time() + 300
    while time.time() < deadline and len(list(state_dir.glob("*.json"))) < 2:
        time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)  # the machine "stops" half-way
    proc.wait()
    done_before = len(list(state_dir.glob("*.json")))
    assert 2 <= done_before < len(personas)
    assert tree_hash(course / "submitted") == before
    classroom.grade_class(course, [ASSIGNMENT], jobs=2, limits=LIMITS, show_progress=False)
    grades = pd.read_csv(course / "reports" / "grades.csv").set_index("student")
    assert sorted(grades.index) == sorted(personas)
    for s in personas:
        full = simulate.expected(s, ASSIGNMENT) == "full"
        assert (grades.loc[s].points == grades.loc[s].max_points) == full, s
    states = [json.loads(p.read_text()) for p in state_dir.glob("*.json")]
    assert len(states) == len(personas)


def test_several_assignments_are_graded_side_by_side_into_one_gradebook(tmp_path):
    """grade_assignments overlaps assignments (the next is released while the last is graded,
    feedback runs beside the grading): every submission of every assignment must still land
    once, with its own grade and its feedback."""
    names = ["02_two_layer_nets", "05_multilayer_nets", "10_dropout"]
    personas = ["solution-1", "blank-1", "mistake-1"]
    course = simulate.make_class(tmp_path / "course", names, personas=personas)
    # the default number of workers (cores + 1)
    done = classroom.grade_assignments(course, names, limits=Limits(batch_size=1), feedback=True)
    rows = pd.DataFrame(course.grades())
    course = course.root
    assert sorted(done) == sorted(names)
    totals = rows.groupby(["assignment", "student"])[["score", "max_score"]].sum()
    assert len(totals) == len(names) * len(personas)
    for assignment in names:
        assert sorted(done[assignment]) == sorted(personas)
        for student in personas:
            score, max_score = totals.loc[(assignment, student)]
            state_points = sum(sum(nb.values()) for nb in done[assignment][student]["scores"].values())
            assert score == pytest.approx(state_points), (assignment, student)
            full = simulate.expected(student, assignment) == "full"
            assert (score == max_score) == full, (assignment, student, score, max_score)
            assert (course / "autograded" / student / assignment).is_dir()
            pages = list((course / "feedback" / student / assignment).glob("*.html"))
            assert len(pages) == len(repository().notebook_names(assignment)), (assignment, student)
    assert not (course / classroom.STATE / "work").exists() or \
        not any((course / classroom.STATE / "work").iterdir()), "sandboxes are cleaned up"


def test_local_fork_server_is_started_once_and_again_when_it_died():
    server = classroom.LocalForkServer(memory_bytes=Limits().memory_bytes)
    with server:
        server.start()
        server.start()  # warming twice starts one server
        path = server.socket()
        assert server.socket() == path and server.starts == 1
        assert os.path.exists(path)
        server.server.proc.kill()
        server.server.proc.wait()
        again = server.socket()
        assert server.starts == 2 and again != path and server.server.alive()
        proc = server.server.proc
    assert proc.poll() is not None, "closing stops the server"
    with pytest.raises(RuntimeError):
        server.socket()


def test_one_fork_server_serves_every_run_and_is_restarted_if_it_dies(tmp_path, monkeypatch):
    """grade_assignments starts one fork server for all of its nbgrader runs (none starts its
    own) and a new one when it has died between runs; every grade stays as expected."""
    names = ["02_two_layer_nets", "10_dropout"]
    personas = ["solution-1", "blank-1"]
    course = simulate.make_class(tmp_path / "course", names, personas=personas)
    started, sockets = [], []

    class Counted(forkkernel.ForkServer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            started.append(self)

    real_run = classroom.run_limited

    def run(cmd, **kwargs):
        if "autograde" not in cmd:
            return real_run(cmd, **kwargs)
        given = [a.split("=", 1)[1] for a in cmd if a.startswith("--ForkKernelManager.server=")]
        assert len(given) == 1, cmd
        sockets.append(given[0])
        out = real_run(cmd, **kwargs)
        if len(sockets) == 1:  # the server dies between two runs
            started[-1].proc.kill()
            started[-1].proc.wait()
        return out

    monkeypatch.setattr(forkkernel, "ForkServer", Counted)
    monkeypatch.setattr(classroom, "run_limited", run)
    done = classroom.grade_assignments(course, names, jobs=1, limits=Limits(batch_size=1))
    assert len(sockets) == len(names) * len(personas)
    assert len(started) == 2, "one server per call, and one more after it died"
    assert sockets[1] != sockets[0] and set(sockets[1:]) == {started[1].path}
    assert not any(server.alive() for server in started), "stopped at the end"
    for assignment in names:
        for student in personas:
            points = sum(sum(nb.values()) for nb in done[assignment][student]["scores"].values())
            full = simulate.expected(student, assignment) == "full"
            assert (points > 0) == full, (assignment, student, points)
