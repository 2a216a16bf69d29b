"""Grade a class on a Dask distributed cluster: ``grade-class --scheduler tcp://HOST:8786``.

Without ``--scheduler`` this module is not imported (nor is Dask): the local pool grades.
With it, :class:`Cluster` sends the grading batches to the cluster's workers through Dask's
futures (``Client.submit``) and the class grader records each batch as it comes back, as it
does a local batch.

Conventions:

* **No shared file system.** The machine running ``grade-class`` (the *main* process) alone
  reads ``submitted/`` and writes the course: the gradebook, ``autograded/``, ``feedback/``,
  the state files and the report. It makes every submission gradable (preflight) and packs the
  assignment's template course (config, source, release, a gradebook that knows the
  assignment) into a :class:`Kit`; a task carries the kit and one batch of prepared
  submissions, and returns their :class:`~grading.classroom.Result` with the graded notebooks
  as bytes. A worker writes only into its own scratch folder.
* **Same code everywhere.** A task carries the main process's
  :func:`~grading.fingerprint.code_fingerprint`; a worker whose code or libraries differ
  refuses it, so a grade never depends on which machine made it.
* **Warm kernels, fresh sandboxes.** Each worker keeps one fork server for its whole life
  (:class:`WarmKernels`, a Dask ``WorkerPlugin``); every notebook's kernel is forked from it
  into a new OS sandbox (:mod:`grading.sandbox`), exactly as on one machine.
* **Faults.** A task only writes in its worker's scratch folder, so a task lost with its
  worker (killed, disconnected) is simply run again elsewhere by the scheduler, and its
  results are recorded once, when its future completes. A batch whose grading kills workers
  again and again (Dask's ``KilledWorker``) is split into single submissions; one that still
  kills a worker gets 0 with a note. When the scheduler is gone, :class:`ClusterError` stops
  ``grade-class``: what was recorded stays, and a re-run (on the cluster or here) grades the
  rest.
"""
import hashlib
import io
import os
import shutil
import subprocess
import sys
import tarfile
import threading
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

from distributed import CancelledError, Client, KilledWorker, get_worker
from distributed.diagnostics.plugin import WorkerPlugin

from grading import forkkernel
from grading.classroom import AssignmentGrader, GradingStopped
from grading.course import Course
from grading.fingerprint import code_fingerprint
from grading.limits import Limits

PLUGIN = "dl2-warm-kernels"     # the worker plugin's name on every worker
SCRATCH = "dl2-grading"         # the folder in a worker's local directory where it grades
CONNECT_TIMEOUT = 30            # seconds to reach the scheduler and to wait for a worker
STOPPED_WORKERS = ("could not be graded: grading it stopped the Dask worker every time it "
                   "was tried; 0 points")


class ClusterError(GradingStopped):
    """The cluster cannot grade (unreachable, no workers, lost): the message says what to do."""


# ------------------------------------------------------------------------------ the kit
@dataclass(frozen=True, kw_only=True)
class Kit:
    """What a worker needs to grade one assignment, sent with each of its tasks.

    Attributes
    ----------
    assignment : str
    names : list of str
        The assignment's notebook file names.
    archive : bytes
        The template course folder as a gzipped tar (``nbgrader_config.py``, ``source/``,
        ``release/``, ``gradebook.db``).
    digest : str
        SHA-256 of ``archive``: a worker unpacks each kit once.
    limits : Limits
    fingerprint : str
        The main process's :func:`~grading.fingerprint.code_fingerprint`.
    """

    assignment: str
    names: list
    archive: bytes
    digest: str
    limits: Limits
    fingerprint: str

    @classmethod
    def pack(cls, grader):
        """The kit of an :class:`~grading.classroom.AssignmentGrader`'s template course."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
            tar.add(grader.template.root, arcname="template")
        archive = buffer.getvalue()
        return cls(assignment=grader.assignment, names=list(grader.names), archive=archive,
                   digest=hashlib.sha256(archive).hexdigest(), limits=grader.limits,
                   fingerprint=code_fingerprint())

    def unpack(self, folder):
        """The template course, unpacked into ``folder/<digest>`` once per worker."""
        root = Path(folder) / self.digest[:24]
        if not (root / "template").exists():
            partial = root.with_name(f"{root.name}.{uuid.uuid4().hex}")
            with tarfile.open(fileobj=io.BytesIO(self.archive), mode="r:gz") as tar:
                tar.extractall(partial, filter="data")
            try:
                os.replace(partial, root)  # another task may have won the race: fine
            except OSError:
                shutil.rmtree(partial, ignore_errors=True)
        return Course(root / "template")


# --------------------------------------------------------------------------- the worker
class WarmKernels(WorkerPlugin):
    """The Dask worker plugin: one fork server per worker, for the worker's whole life.

    Registered by :meth:`Cluster.connect` on every worker (and on workers that join later).
    It checks, once, that this worker's OS sandbox holds (``python -m grading
    check-sandbox``): :meth:`Cluster.connect` asks every worker there when it connects, a
    worker that joins later checks before its first task, and a worker where the sandbox
    does not hold refuses every task.
    """

    name = PLUGIN

    def __init__(self, *, memory_bytes, fork_kernels=True, sandbox=True):
        self.memory_bytes = memory_bytes
        self.fork_kernels = fork_kernels
        self.sandbox = sandbox
        self.server = None
        self.folder = None
        self._lock = threading.Lock()
        self._checked = None

    def setup(self, worker):
        self.folder = Path(worker.local_directory) / SCRATCH
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.fork_kernels:
            self.server = forkkernel.ForkServer(memory_bytes=self.memory_bytes)

    def teardown(self, worker):
        if self.server is not None:
            self.server.stop()
            self.server = None

    def __getstate__(self):  # what travels to the workers: the settings only
        return {"memory_bytes": self.memory_bytes, "fork_kernels": self.fork_kernels,
                "sandbox": self.sandbox}

    def __setstate__(self, state):
        self.__init__(**state)

    def fork_server(self):
        """The socket of this worker's fork server (restarted if it died)."""
        with self._lock:
            if self.server is None or not self.server.alive():
                self.server = forkkernel.ForkServer(memory_bytes=self.memory_bytes)
            return self.server.path

    def require_sandbox(self):
        """Raise :class:`ClusterError` unless this worker's sandbox holds (checked once)."""
        with self._lock:
            if self._checked is None:
                run = subprocess.run([sys.executable, "-m", "grading", "check-sandbox"],
                                     capture_output=True, text=True)
                self._checked = "" if run.returncode == 0 else (run.stdout + run.stderr).strip()
        if self._checked:
            raise ClusterError(f"the sandbox of this worker does not hold:\n{self._checked}")


def _sandbox_problem(dask_worker):
    """Run by :meth:`Cluster.connect` on each worker: why its sandbox fails, or ''."""
    try:
        dask_worker.plugins[PLUGIN].require_sandbox()
    except ClusterError as err:
        return str(err)
    return ""


def grade_on_worker(kit, results, *, batch_id):
    """The task: grade ``results`` (prepared submissions of ``kit``'s assignment) on this
    worker. Returns ``[(result, {notebook name: graded notebook bytes})]``."""
    worker = get_worker()
    here = code_fingerprint()
    if here != kit.fingerprint:
        raise ClusterError(f"worker {worker.address} runs other grading code or libraries "
                           f"({here[:12]}, the grader has {kit.fingerprint[:12]}): install the "
                           "same commit of the course and requirements.txt on every worker")
    plugin = worker.plugins[PLUGIN]
    if kit.limits.sandbox:
        plugin.require_sandbox()
    work = plugin.folder / "work" / f"{kit.assignment}-{batch_id}-{uuid.uuid4().hex[:8]}"
    try:
        grader = AssignmentGrader(
            course=None, assignment=kit.assignment, names=kit.names, work=work,
            template=kit.unpack(plugin.folder / "kits"), limits=kit.limits,
            fork_server=plugin.fork_server() if kit.limits.fork_kernels else None)
        graded = []
        for result in grader.grade_staged(results, batch_id=batch_id):
            files = {}
            if result.graded_dir is not None:
                files = {name: (result.graded_dir / name).read_bytes() for name in kit.names
                         if (result.graded_dir / name).exists()}
            graded.append((replace(result, graded_dir=None, rebuilt={}, ran_on=worker.address),
                           files))
        return graded
    finally:
        shutil.rmtree(work, ignore_errors=True)


# ----------------------------------------------------------------------------- the main
class Cluster:
    """A connection to a Dask scheduler, and the grading of batches on its workers.

    Parameters
    ----------
    client : distributed.Client
    """

    def __init__(self, client):
        self.client = client

    @classmethod
    def connect(cls, address, *, limits, timeout=CONNECT_TIMEOUT):
        """Connect to the scheduler at ``address`` (``tcp://HOST:8786``) and register
        :class:`WarmKernels` on its workers; :class:`ClusterError` when it cannot grade.
        ``timeout``: seconds to reach the scheduler (and to reconnect to it when the
        connection drops), and to wait for its first worker."""
        try:
            client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise ClusterError(f"cannot reach the Dask scheduler at {address} ({err}): start "
                               f"it (`dask scheduler`) or grade on this machine without "
                               "--scheduler") from err
        try:
            client.wait_for_workers(1, timeout=timeout)
        except TimeoutError as err:
            client.close()
            raise ClusterError(f"the Dask scheduler at {address} has no workers after "
                               f"{timeout} s: start some (`dask worker {address}` on "
                               "each grading machine)") from err
        client.register_plugin(WarmKernels(memory_bytes=limits.memory_bytes,
                                           fork_kernels=limits.fork_kernels,
                                           sandbox=limits.sandbox), name=PLUGIN)
        if limits.sandbox:  # every worker there now, before anything is graded
            broken = {w: why for w, why in client.run(_sandbox_problem).items() if why}
            if broken:
                client.close()
                raise ClusterError("the sandbox does not hold on "
                                   + "; ".join(f"{w}: {why}" for w, why in broken.items()))
        return cls(client)

    @property
    def address(self):
        return self.client.scheduler.address

    def slots(self):
        """How many batches the cluster grades at once (its workers' threads)."""
        return max(1, sum(self.client.nthreads().values()))

    def close(self):
        self.client.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def remote(self, grader):
        """Something with ``grade_batch`` like ``grader``'s, that grades on the cluster."""
        return _RemoteGrader(self, grader, Kit.pack(grader))

    def run(self, kit, results, *, batch_id):
        """Grade ``results`` on some worker: ``[(result, {notebook name: bytes})]``, as
        :func:`grade_on_worker` returns them; :class:`ClusterError` when the scheduler is
        lost, ``KilledWorker`` when the task stopped too many workers."""
        future = self.client.submit(grade_on_worker, kit, results, batch_id=batch_id,
                                    key=f"grade-{kit.assignment}-{batch_id}-{uuid.uuid4().hex}",
                                    pure=False)
        try:
            return future.result()
        except (CancelledError, OSError, TimeoutError) as err:
            if self.client.status == "running" and not isinstance(err, CancelledError):
                raise
            raise ClusterError(f"lost the Dask scheduler at {self.address} "
                               f"({type(err).__name__}): the grades recorded so far are "
                               "kept; run grade-class again (with --scheduler, or without it "
                               "to grade on this machine) to grade the rest") from err


class _RemoteGrader:
    """:meth:`AssignmentGrader.grade_batch` on the cluster: preflight here, grading there."""

    def __init__(self, cluster, grader, kit):
        self.cluster, self.grader, self.kit = cluster, grader, kit

    def grade_batch(self, students, *, batch_id):
        staged = [self.grader.preflight(student) for student in students]
        try:
            graded = self.cluster.run(self.kit, staged, batch_id=batch_id)
        except KilledWorker:
            graded = []
            for k, result in enumerate(staged):  # one at a time: spare the others
                try:
                    graded += self.cluster.run(self.kit, [result], batch_id=f"{batch_id}-{k}")
                except KilledWorker:
                    failed = replace(result, scores={}, rebuilt={},
                                     notes=[*result.notes, STOPPED_WORKERS])
                    graded.append((failed, {}))
        return [self._receive(result, files) for result, files in graded]

    def _receive(self, result, files):
        """Write a result's graded notebooks into this machine's work folder."""
        if files:
            folder = self.grader.work / "received" / result.student
            folder.mkdir(parents=True, exist_ok=True)
            for name, data in files.items():
                (folder / name).write_bytes(data)
            result.graded_dir = folder
        return result
