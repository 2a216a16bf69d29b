"""Grading on a Dask distributed cluster, on one machine the way a cluster runs.

A real ``dask scheduler`` and ``dask worker`` processes on 127.0.0.1 (real TCP, separate
processes, no nanny: a killed worker stays dead) grade a small class of two assignments with
``grade-class --scheduler``; grades, graded notebooks and feedback must be those of a local
run, also when a worker is killed half-way, and a lost scheduler stops the run with a message
after which a re-run finishes the job.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from grading import classroom, simulate
from grading.course import Course, repository
from grading.limits import Limits

distributed = pytest.importorskip("distributed")
from grading import cluster  # noqa: E402  (needs distributed)

pytestmark = pytest.mark.xdist_group("cluster")

ASSIGNMENTS = [n for n in repository().assignments() if n.startswith(("02", "04"))]
# a correct, a wrong and a blank answer, and one that kills its kernel (04: regraded alone,
# the culprit cell found and stubbed out, on the worker)
PERSONAS = ["solution-1", "mistake-1", "blank-1", "hostile-os-exit"]
LIMITS = Limits(cell_timeout=5, submission_timeout=40, batch_size=1)  # many small tasks
DASK = [str(Path(sys.executable).with_name("dask"))]


class LocalCluster:
    """A scheduler and ``workers`` worker processes started as a cluster's would be."""

    def __init__(self, folder, workers):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        file = self.folder / "scheduler.json"
        env = dict(os.environ)
        self.scheduler = subprocess.Popen(
            [*DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
             "--scheduler-file", str(file)], stdout=subprocess.DEVNULL,
            stderr=open(self.folder / "scheduler.log", "w"), env=env)
        deadline = time.monotonic() + 60
        while not file.exists() or not file.read_text().strip():
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.2)
        self.address = json.loads(file.read_text())["address"]
        self.workers = [subprocess.Popen(
            [*DASK, "worker", self.address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
             "--name", f"w{k}", "--local-directory", str(self.folder / f"w{k}")],
            stdout=subprocess.DEVNULL, stderr=open(self.folder / f"w{k}.log", "w"), env=env)
            for k in range(workers)]
        with distributed.Client(self.address, timeout=30) as client:
            client.wait_for_workers(workers, timeout=60)

    def pid_of(self, address):
        with distributed.Client(self.address, timeout=30) as client:
            name = client.scheduler_info()["workers"][address]["name"]
        return self.workers[int(name[1:])].pid

    def folder_of(self, address):
        """The local directory of the worker at ``address`` (its tasks work in there)."""
        with distributed.Client(self.address, timeout=30) as client:
            name = client.scheduler_info()["workers"][address]["name"]
        return self.folder / name

    def busy_worker(self):
        """The address of a worker that is grading a batch right now (None if none is)."""
        with distributed.Client(self.address, timeout=30) as client:
            busy = [w for w, keys in client.processing().items() if keys]
        return busy[0] if busy else None

    def stop(self):
        for proc in [*self.workers, self.scheduler]:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in [*self.workers, self.scheduler]:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()


class Trigger:
    """Stands in for the progress bar; calls ``action`` once, when the first result is in."""

    def __init__(self, action=None):
        self.action, self.count, self.fired = action, 0, None

    def update(self, n=1):
        self.count += n
        if self.count == 1 and self.action:
            self.fired = self.action()

    def set_postfix_str(self, text):
        pass


def processes_working_in(folder):
    """Processes whose working folder is inside ``folder`` (nbgrader runs, kernels)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cwd = os.readlink(proc / "cwd")
        except OSError:
            continue
        if cwd.startswith(str(folder)):
            found.append((proc.name, cwd))
    return found


def make_class(folder):
    return simulate.make_class(Path(folder) / "course", ASSIGNMENTS, personas=PERSONAS)


def graded_notebook(path):
    """A graded notebook without what differs from run to run: cell timings, and how the
    kernel happened to split a cell's printed text into stream messages."""
    nb = json.loads(Path(path).read_text())
    for cell in nb["cells"]:
        cell.get("metadata", {}).pop("execution", None)
        merged = []
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                out["text"] = "".join(out["text"])
                if merged and merged[-1]["output_type"] == "stream" \
                        and merged[-1]["name"] == out["name"]:
                    merged[-1]["text"] += out["text"]
                    continue
            merged.append(out)
        if "outputs" in cell:
            cell["outputs"] = merged
    return nb


def feedback_text(path):
    return re.sub(r"\s+", " ", BeautifulSoup(Path(path).read_text(), "html.parser").get_text())


def outcome(course):
    """Everything a grading run leaves that must not depend on where it ran."""
    course = Course(course)
    root = course.root
    scores = sorted((r["assignment"], r["student"], r["test"], r["score"]) for r in course.grades())
    notebooks = {str(p.relative_to(root)): graded_notebook(p)
                 for p in sorted((root / "autograded").rglob("*.ipynb"))}
    feedback = {str(p.relative_to(root)): feedback_text(p)
                for p in sorted((root / "feedback").rglob("*.html"))}
    notes = {(a, s): state["notes"] for a, by in classroom_states(root).items()
             for s, state in by.items()}
    return scores, notebooks, feedback, notes


def classroom_states(root):
    state = Path(root) / classroom.STATE / "state"
    return {a.name: {p.stem: json.loads(p.read_text()) for p in a.glob("*.json")}
            for a in state.iterdir()}


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    course = make_class(tmp_path_factory.mktemp("local"))
    classroom.grade_class(course.root, ASSIGNMENTS, jobs=2, limits=LIMITS, show_progress=False)
    return outcome(course.root)


@pytest.fixture
def dask_cluster(tmp_path):
    started = LocalCluster(tmp_path / "cluster", workers=3)
    yield started
    started.stop()


def test_a_class_graded_on_the_cluster_is_graded_as_on_this_machine(tmp_path, dask_cluster,
                                                                    local_run):
    course = make_class(tmp_path)
    classroom.grade_class(course.root, ASSIGNMENTS, jobs=2, limits=LIMITS, show_progress=False,
                          scheduler=dask_cluster.address)
    scores, notebooks, feedback, notes = outcome(course.root)
    local_scores, local_notebooks, local_feedback, local_notes = local_run
    assert scores == local_scores
    assert notes == local_notes
    assert any("stopped the Python kernel" in " ".join(n) for n in notes.values()), \
        "the hostile submission must have been regraded alone, on a worker"
    assert notebooks.keys() == local_notebooks.keys() and feedback.keys() == local_feedback.keys()
    for name in notebooks:
        assert notebooks[name] == local_notebooks[name], name
    for name in feedback:
        assert feedback[name] == local_feedback[name], name
    where = {s["ran_on"] for by in classroom_states(course.root).values() for s in by.values()}
    assert where and all(w.startswith("tcp://127.0.0.1:") for w in where), where
    assert len(where) > 1, "the batches must be spread over the workers"
    report = (course.root / "reports" / "report.md").read_text()
    assert "## Where the submissions were graded" in report
    assert all(f"| {w} |" in report for w in where)


def test_a_worker_killed_half_way_loses_no_grade_and_records_none_twice(tmp_path, dask_cluster,
                                                                       local_run, monkeypatch):
    course = make_class(tmp_path)
    recorded = []
    record = classroom.record
    monkeypatch.setattr(classroom, "record",
                        lambda c, result, names: (recorded.append((result.assignment,
                                                                   result.student)),
                                                  record(c, result, names)))

    def kill_a_busy_worker():
        address = dask_cluster.busy_worker()
        assert address, "no worker was grading when the first result came in"
        folder = dask_cluster.folder_of(address)
        assert processes_working_in(folder), "the busy worker must have an nbgrader run"
        os.kill(dask_cluster.pid_of(address), signal.SIGKILL)
        deadline = time.monotonic() + 3
        while processes_working_in(folder) and time.monotonic() < deadline:
            time.sleep(0.1)
        return processes_working_in(folder)

    trigger = Trigger(kill_a_busy_worker)
    with cluster.Cluster.connect(dask_cluster.address, limits=LIMITS) as grid:
        classroom.grade_assignments(Course(course.root), ASSIGNMENTS, jobs=2, limits=LIMITS,
                                    progress=trigger, feedback=True, cluster=grid)
    assert sum(w.poll() is not None for w in dask_cluster.workers) == 1
    assert trigger.fired == [], "the killed worker's nbgrader runs must die with it"
    expected = [(a, s) for a in ASSIGNMENTS for s in PERSONAS]
    assert sorted(recorded) == sorted(expected), "each submission recorded exactly once"
    assert trigger.count == len(expected)
    scores, notebooks, feedback, notes = outcome(course.root)
    assert scores == local_run[0]
    assert notes == local_run[3]
    assert notebooks == local_run[1]
    assert feedback == local_run[2]


def test_a_lost_scheduler_stops_grading_with_a_message_and_a_rerun_finishes(tmp_path,
                                                                           dask_cluster,
                                                                           local_run):
    course = make_class(tmp_path)

    def kill_the_scheduler():
        dask_cluster.scheduler.kill()
        return True

    with pytest.raises(classroom.GradingStopped, match="lost the Dask scheduler.*run "
                                                       "grade-class again"):
        with cluster.Cluster.connect(dask_cluster.address, limits=LIMITS, timeout=10) as grid:
            classroom.grade_assignments(Course(course.root), ASSIGNMENTS, jobs=2,
                                        limits=LIMITS, progress=Trigger(kill_the_scheduler),
                                        feedback=True, cluster=grid)
    kept = sum(len(by) for by in classroom_states(course.root).values())
    assert 1 <= kept < len(ASSIGNMENTS) * len(PERSONAS)
    classroom.grade_class(course.root, ASSIGNMENTS, jobs=2, limits=LIMITS, show_progress=False)
    assert outcome(course.root) == local_run


def test_a_worker_with_other_grading_code_refuses_the_work(dask_cluster, tmp_path):
    course = make_class(tmp_path)
    grader = classroom.AssignmentGrader.prepare(course, ASSIGNMENTS[0], work=tmp_path / "work",
                                                limits=LIMITS)
    kit = cluster.Kit.pack(grader)
    other = cluster.Kit(**{**kit.__dict__, "fingerprint": "0" * 64})
    with cluster.Cluster.connect(dask_cluster.address, limits=LIMITS) as grid:
        with pytest.raises(cluster.ClusterError, match="runs other grading code"):
            grid.run(other, [grader.preflight(PERSONAS[0])], batch_id=0)
        graded = grid.run(kit, [grader.preflight(PERSONAS[0])], batch_id=1)
    (result, files), = graded
    assert result.scores and set(files) == set(grader.names)
    assert result.ran_on.startswith("tcp://127.0.0.1:")


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(cluster.ClusterError, match="cannot reach the Dask scheduler"):
        cluster.Cluster.connect("tcp://127.0.0.1:9", limits=LIMITS, timeout=3)
