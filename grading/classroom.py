"""Grade a whole class: ``python -m grading grade-class`` (``make grade``).

For every assignment of a course folder (``source/``, ``submitted/<student>/<assignment>/`` as
``nbgrader collect`` or ``nbgrader zip_collect`` leave it, ``gradebook.db``):

1. ``nbgrader generate_assignment`` (the release and the gradebook's cells);
2. every submission is made gradable (:mod:`grading.preflight`) and autograded by the real
   ``nbgrader autograde`` in a *sandbox* course folder, in batches run side by side
   (``--jobs``), each nbgrader process and its kernel with a memory limit and a time limit;
3. a submission whose batch failed (a kernel that died, a loop that ignores interrupts) is
   graded alone; if it still fails, the answer cell that stops the kernel is found, replaced
   by a stub and the rest graded ("0 for what it breaks, full credit for the rest");
4. the scores are written into the course's gradebook (automatic scores only: manual
   adjustments stay) one submission per transaction, and the graded notebook is copied to
   ``autograded/``; ``nbgrader generate_feedback`` runs as soon as an assignment's grades are
   all in, beside the grading of the next one (which is released meanwhile); then
   ``nbgrader export``;
5. a report folder: ``grades.csv``, per-test pass rates, score histograms, notes per student.

Nothing is lost on a crash or Ctrl-C: submissions are only read, each submission's grades are
committed on their own, and a state file per submission (written last, atomically) lets a
re-run skip what is done and finish the rest. Same inputs give the same grades; a changed
submission or source is regraded, and one that can no longer be graded gets 0 with a reason,
never a stale grade.
"""
import collections
import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grading import cells, find_fatal, forkkernel, guard, preflight, sandbox, sandbox_check
from grading.course import TIMESTAMP_FILE, Course, CourseError, RunOptions, nbgrader_environment
from grading.fingerprint import grader_fingerprint, input_hash
from grading.limits import Limits, default_jobs

STATE = ".grading"  # per-course working folder (sandboxes, state files)
LOCAL = "this machine"  # where a submission graded by the local pool ran
UNSANDBOXED = ("graded WITHOUT the OS sandbox (grade-class --no-sandbox): the students' code ran "
               "with the grader's rights, so these grades are not protected against tampering")


class GradingStopped(RuntimeError):
    """Grading stopped before the end (the cluster was lost, say): what was recorded stays, and
    the message says how to finish."""


@dataclass
class Result:
    """The outcome of grading one submission."""

    student: str
    assignment: str
    scores: dict = field(default_factory=dict)   # {notebook: {grade_id: score}}
    penalties: dict = field(default_factory=dict)  # {notebook: late penalty}
    notes: list = field(default_factory=list)
    flags: list = field(default_factory=list)
    graded_dir: Path = None                      # autograded/<student>/<assignment> in a sandbox
    rebuilt: dict = field(default_factory=dict)  # {notebook: rebuilt NotebookNode or None}
    timestamp: str = None
    ran_on: str = LOCAL                          # where it was graded (a Dask worker's address)


# ------------------------------------------------------------------------------ utilities
def _write_atomic(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _limited(memory_bytes):
    def preexec():
        os.setsid()  # own process group: a timeout kills nbgrader and its kernel together
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
        sandbox.die_with_parent()  # a grader killed outright (kill -9) takes its runs along
    return preexec


def run_limited(cmd, *, cwd, timeout, memory_bytes):
    """Run ``cmd`` with a memory limit; on timeout kill its whole process group.

    Returns ``(returncode or None on timeout, output)``.
    """
    proc = subprocess.Popen(cmd, cwd=cwd, env=nbgrader_environment(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            preexec_fn=_limited(memory_bytes))
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out


EXPLAIN = {"MemoryError": "ran out of memory (the per-submission limit)",
           "SystemExit": "called exit()", "CellTimeoutError": "ran out of time",
           "KeyboardInterrupt": "was interrupted"}


def answer_errors(path, name):
    """Short notes for answer cells that ended in an error (e.g. MemoryError, SystemExit)."""
    notes = []
    for cell in cells.read(path).cells:
        if cell.cell_type == "code" and cells.is_answer(cell):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and out.get("ename") != "NotImplementedError":
                    why = EXPLAIN.get(out.get("ename"), f"raised {out.get('ename')}")
                    notes.append(f"{name}: answer cell {cells.grade_id(cell)} {why}")
    return notes


# ----------------------------------------------------------------------------- fork server
class LocalForkServer:
    """One warm fork server (:class:`grading.forkkernel.ForkServer`) for every nbgrader run of
    one :func:`grade_assignments` call, instead of one per run: its imports (ipykernel, NumPy,
    pandas, Matplotlib, ``common``) are paid once per class, not once per batch.

    It only forks: every kernel still enters its own new OS sandbox before it runs anything
    (:func:`grading.forkserver._enter_sandbox`, as on a Dask worker), so sharing the server
    shares no files, processes or memory between submissions. It runs under the
    per-submission memory limit (its kernels inherit it, as they inherit an nbgrader run's),
    is started on first use (:meth:`start` warms it in the background) and again whenever it
    has died (:meth:`socket`); :meth:`close` stops it and its kernels.
    """

    def __init__(self, *, memory_bytes):
        self.memory_bytes = memory_bytes
        self.server = None
        self.starts = 0  # how many servers were started (tests, diagnostics)
        self._lock = threading.Lock()
        self._closed = False
        self._warming = None

    def start(self):
        """Start the server in a background thread (it imports for a few seconds); once."""
        with self._lock:
            if self._warming is None:
                self._warming = threading.Thread(target=self._warm, name="dl2-fork-server",
                                                 daemon=True)
                self._warming.start()
        return self

    def _warm(self):
        try:
            self.socket()
        except (OSError, RuntimeError):
            pass  # the first run that needs it tries again, and reports the error

    def socket(self):
        """The running server's socket path (a new server if there is none or it died)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the grading fork server was closed")
            if self.server is None or not self.server.alive():
                if self.server is not None:
                    self.server.stop()
                self.server = None
                self.server = forkkernel.ForkServer(memory_bytes=self.memory_bytes)
                self.starts += 1
            return self.server.path

    def close(self):
        with self._lock:
            self._closed = True
            if self.server is not None:
                self.server.stop()
                self.server = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _server_socket(server):
    """The socket of ``server``: a path (a Dask worker's server), a :class:`LocalForkServer`
    (asked at every run, so a dead one is replaced) or None (the run starts its own)."""
    return server.socket() if isinstance(server, LocalForkServer) else server


# ------------------------------------------------------------------------------- sandboxes
_READ = object()  # AssignmentGrader.prepare: read the due date from the course's gradebook


@dataclass(frozen=True, kw_only=True)
class AssignmentGrader:
    """Grades submissions of one assignment in sandbox courses, made from one template.

    A sandbox is a scratch :class:`~grading.course.Course` with the assignment's config,
    source and a copy of the template's gradebook (the assignment and its due date, no
    students); nbgrader grades the staged submissions there, and the scores are read back out.

    Attributes
    ----------
    course : Course or None
        The class's course (only read here, by :meth:`preflight`; None on a cluster worker,
        which gets submissions already staged).
    assignment : str
    names : list of str
        The assignment's notebook file names.
    work : Path
        Where the template and the sandboxes are made.
    template : Course
        The assignment released, with a gradebook that knows it.
    limits : Limits
    fork_server : str, LocalForkServer or None
        A fork server that outlives this grader: a socket (a Dask worker's server) or the
        class grader's :class:`LocalForkServer`; None: each nbgrader run starts its own.
    """

    course: Course | None
    assignment: str
    names: list
    work: Path
    template: Course
    limits: Limits
    fork_server: str | LocalForkServer | None = None

    @classmethod
    def prepare(cls, course, assignment, *, work, limits, fork_server=None, duedate=_READ):
        """Make the template course in ``work`` (release and gradebook of ``assignment``).
        ``duedate``: the assignment's, when the caller has read it from the course's gradebook
        (by default it is read here)."""
        path = Path(work) / "template"
        if path.exists():
            shutil.rmtree(path)
        template = Course.create(path, [assignment], like=course)
        template.generate_release(assignment)
        if duedate is _READ:
            with course.gradebook() as master:
                duedate = master.find_assignment(assignment).duedate
        if duedate is not None:
            with template.gradebook() as gb:
                gb.update_or_create_assignment(assignment, duedate=duedate)
        return cls(course=course, assignment=assignment, names=course.notebook_names(assignment),
                   work=Path(work), template=template, limits=limits, fork_server=fork_server)

    def sandbox(self, name):
        """A fresh sandbox course called ``name`` (an older one of that name is replaced)."""
        path = self.work / name
        if path.exists():
            shutil.rmtree(path)
        box = Course.create(path, [self.assignment], like=self.template)
        shutil.copy2(self.template.gradebook_path, box.gradebook_path)
        return box

    def preflight(self, student):
        """One submission made gradable (:mod:`grading.preflight`): its Result, scores empty."""
        src = self.course.submitted(student, self.assignment)
        notebooks, notes, flags = preflight.prepare(src, self.template.release(self.assignment),
                                                    self.names)
        result = Result(student, self.assignment, notes=notes, flags=flags, rebuilt=notebooks)
        stamp = src / TIMESTAMP_FILE
        result.timestamp = stamp.read_text().strip() if stamp.exists() else None
        return result

    def place(self, box, result):
        """Write ``result``'s gradable notebooks into ``box``; False when there are none."""
        gradable = {n: nb for n, nb in result.rebuilt.items() if nb is not None}
        if gradable:
            box.submit(result.student, self.assignment, gradable, timestamp=result.timestamp)
        return bool(gradable)

    def autograde(self, box, submissions, student=None):
        """``nbgrader autograde`` in ``box`` under the limits; ``(returncode or None, output)``."""
        args = ["autograde", self.assignment, "--force"]
        if student:
            args.append(f"--student={student}")
        options = RunOptions.for_sandbox(self.limits, fork_server=_server_socket(self.fork_server))
        return run_limited(box.nbgrader_command(*args, options=options),
                           cwd=box.root, timeout=self.limits.run_timeout(submissions),
                           memory_bytes=self.limits.memory_bytes)

    def collect(self, box, result):
        """Read ``box``'s grades of ``result.student``; True when every gradable notebook was graded."""
        from nbgrader.api import MissingEntry

        graded_dir = box.autograded(result.student, self.assignment)
        ok = True
        with box.gradebook() as gb:
            for name in self.names:
                if result.rebuilt.get(name) is None:
                    continue
                try:
                    sub = gb.find_submission_notebook(Path(name).stem, self.assignment,
                                                      result.student)
                except MissingEntry:
                    ok = False
                    continue
                if not (graded_dir / name).exists() or any(g.auto_score is None for g in sub.grades):
                    ok = False
                    continue
                result.scores[name] = {g.name: float(g.auto_score) for g in sub.grades}
                result.penalties[name] = float(sub.late_submission_penalty or 0.0)
                result.notes.extend(answer_errors(graded_dir / name, name))
                if guard.guard_off(cells.read(graded_dir / name).metadata.get(guard.AUDIT_KEY)):
                    result.flags.append(f"{name}: test cells ran with the grading guard "
                                        "switched off")
        result.graded_dir = graded_dir if ok else None
        return ok

    def grade_batch(self, students, *, batch_id):
        """Grade some students in one sandbox; those that failed are graded one by one."""
        return self.grade_staged([self.preflight(student) for student in students],
                                 batch_id=batch_id)

    def grade_staged(self, results, *, batch_id):
        """Grade submissions already through :meth:`preflight` in one sandbox (those that
        failed one by one); returns ``results`` with their scores filled in."""
        _, failed = self.grade_together(results, batch_id=batch_id)
        for result in failed:
            self.grade_alone(result)
        return results

    def grade_together(self, results, *, batch_id):
        """The first pass of :meth:`grade_staged`: ``results`` graded in one sandbox.
        Returns ``(graded, failed)``; the failed are for :meth:`grade_alone` (the class
        grader hands each to its pool, so they are regraded side by side)."""
        box = self.sandbox(f"batch-{batch_id}")
        staged = [result for result in results if self.place(box, result)]
        if staged:
            self.autograde(box, len(staged))
        failed = [result for result in staged if not self.collect(box, result)]
        return [result for result in results if not any(r is result for r in failed)], failed

    def grade_batch_first(self, students, *, batch_id):
        """:meth:`grade_together` of some students: ``(graded, failed)``."""
        return self.grade_together([self.preflight(student) for student in students],
                                   batch_id=batch_id)

    def grade_alone(self, result, *, attempts=3):
        """Grade one submission by itself; stub out the cell that kills or hangs the kernel."""
        for attempt in range(attempts + 1):
            box = self.sandbox(f"alone-{result.student}")
            self.place(box, result)
            code, output = self.autograde(box, 1, student=result.student)
            if self.collect(box, result):
                return result
            if attempt == attempts or not self.stub_fatal_cell(box, result):
                break
        tail = "timed out" if code is None else (output.strip().splitlines() or ["unknown error"])[-1]
        result.notes.append(f"could not be graded ({tail[:120]}); 0 points")
        result.scores, result.graded_dir = {}, None
        return result

    def stub_fatal_cell(self, box, result):
        """Find the cell that kills or hangs the kernel and replace the answer behind it."""
        for name, nb in result.rebuilt.items():
            if nb is None:
                continue
            # alone in its folder: the probe's kernel gets a copy of that folder
            path = cells.write(nb, box.root / "probe" / name)
            _, out = run_limited([sys.executable, "-m", find_fatal.__name__, str(path),
                                  f"--timeout={self.limits.cell_timeout}",
                                  "--sandbox" if self.limits.sandbox else "--no-sandbox"],
                                 cwd=box.root, timeout=self.limits.probe_timeout(),
                                 memory_bytes=self.limits.memory_bytes)
            found = find_fatal.parse(out)
            if found is None or found[0] < 0:
                continue
            index, error = found
            # the answer cell at or before the fatal cell is the one to blame
            culprit = next((k for k in range(index, -1, -1) if nb.cells[k].cell_type == "code"
                            and (cells.is_answer(nb.cells[k]) or not cells.meta(nb.cells[k]))),
                           None)
            if culprit is None:
                continue
            cell = nb.cells[culprit]
            label = cells.grade_id(cell) or f"cell {culprit}"
            why = {"DeadKernelError": "stopped the Python kernel (exit or kill)",
                   "CellTimeoutError": f"ran past {self.limits.cell_timeout} s and ignored "
                                       "interrupts"}.get(error, f"broke the kernel ({error})")
            result.notes.append(f"{name}: answer cell {label} {why}; it was replaced by a stub "
                                "and the rest graded")
            cell.source = ("raise RuntimeError('grader: this cell stopped the grading and was "
                           "removed')")
            return True
        return False


# ---------------------------------------------------------------------------- gradebook
def record(course, result, names):
    """Write one submission's automatic scores into the course gradebook (one transaction)
    and put its graded notebooks in ``autograded/``. Manual scores are left alone."""
    with course.gradebook() as gb:
        gb.update_or_create_student(result.student)
        kwargs = {"timestamp": result.timestamp} if result.timestamp else {}
        sub = gb.update_or_create_submission(result.assignment, result.student, **kwargs)
        for nb in sub.notebooks:
            name = nb.name + ".ipynb"
            scores = result.scores.get(name, {})
            for grade in nb.grades:
                grade.auto_score = scores.get(grade.name, 0.0)
                grade.needs_manual_grade = False
            nb.late_submission_penalty = result.penalties.get(name) or None
        gb.db.commit()
    dest = course.autograded(result.student, result.assignment)
    staging = dest.with_name(dest.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name in names:
        graded = result.graded_dir / name if result.graded_dir else None
        if graded is not None and graded.exists():
            shutil.copy2(graded, staging / name)
        else:  # not gradable: a copy of the release that says why, so feedback explains it
            nb = course.release_notebook(result.assignment, name)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                "**Not graded:** " + "; ".join(result.notes or ["no gradable notebook"])))
            cells.write(nb, staging / name)
    # the rest as nbgrader autograde leaves it: the submission's other files (timestamp.txt
    # and submission_secret.txt are what nbgrader release_feedback reads), then the source's
    # non-notebook files over them, every file with nbgrader's mode for autograded files
    submitted = course.submitted(result.student, result.assignment)
    source = course.source(result.assignment)
    extras = [(submitted / r, r) for r in course.extra_files(result.student, result.assignment)]
    extras += [(source / r, r) for r in course.source_files(result.assignment)]
    for path, relative in extras:
        (staging / relative).parent.mkdir(parents=True, exist_ok=True)
        if (staging / relative).exists():
            (staging / relative).unlink()
        shutil.copy(path, staging / relative)
    mode = course.permissions("Autograde")
    for path in staging.rglob("*"):
        if path.is_file():
            path.chmod(mode)
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(staging, dest)


# ------------------------------------------------------------------------------ the job
@dataclass
class _Job:
    """One assignment being graded: what is left to grade, its grader and its batches."""

    assignment: str
    names: list
    states: dict                                  # student -> state dict
    todo: list                                    # (student, input hash) still to grade
    work: Path
    grader: AssignmentGrader = None
    runner: object = None                         # grades a batch: the grader, or the cluster's
    futures: list = field(default_factory=list)


def _plan(course, assignment, *, force, limits, progress, cluster=None, fork_server=None):
    """Release ``assignment``; find the submissions whose grades are missing or out of date.
    When there are some, the sandboxes' template is released beside the course's release
    (they are two independent nbgrader runs) and the fork server is warmed meanwhile."""
    work = course.root / STATE / "work" / assignment
    state_dir = course.root / STATE / "state" / assignment
    # grades made without the sandbox are redone once it is back (the hash does not depend on
    # the release, so it is known before the release is made)
    fingerprint = grader_fingerprint(course) + ("" if limits.sandbox else "+unsandboxed")
    states, todo = {}, []
    for student in course.submitted_students(assignment):
        digest = input_hash(course, assignment, student, fingerprint)
        path = state_dir / f"{student}.json"
        if not force and path.exists():
            state = json.loads(path.read_text())
            if state.get("input_hash") == digest:
                states[student] = state
                if progress:
                    progress.update(1)
                continue
        todo.append((student, digest))
    job = _Job(assignment, course.notebook_names(assignment), states, todo, work)
    if not todo:
        course.generate_release(assignment)
        return job
    if fork_server is not None:
        fork_server.start()  # (no-op once started) its imports overlap with the releases
    with course.gradebook() as master:  # read here: only this thread opens the gradebook
        duedate = master.find_assignment(assignment).duedate
    with ThreadPoolExecutor(1) as side:
        template = side.submit(AssignmentGrader.prepare, course, assignment, work=work,
                               limits=limits, fork_server=fork_server, duedate=duedate)
        try:
            course.generate_release(assignment)
        finally:
            job.grader = template.result()
    job.runner = cluster.remote(job.grader) if cluster else job.grader
    return job


# A small class's assignment is graded in one nbgrader run rather than split between the
# workers: each run costs an nbgrader start-up, and the pool holds the next assignments' runs
# (PIPELINE) to keep the workers busy.
MIN_BATCH = 8
PIPELINE = 2  # assignments released and queued ahead of the one being recorded


def _submit(pool, job, *, limits, jobs):
    """Queue the job's batches on ``pool``."""
    if not job.todo:
        return
    # big batches amortize the start-up of nbgrader; one batch per worker is enough, since
    # the pool holds the next assignments' batches too
    local = job.runner is job.grader  # (a cluster's slots are many: its batches stay small)
    smallest = MIN_BATCH if local else 1
    size = max(1, min(limits.batch_size, max(smallest, -(-len(job.todo) // max(1, jobs)))))
    batches = [job.todo[i:i + size] for i in range(0, len(job.todo), size)]
    # on this machine a batch's failed submissions come back to be regraded alone, each as a
    # task of its own (side by side); a cluster's worker regrades them itself
    first = job.runner.grade_batch_first if local else job.runner.grade_batch
    job.futures = [pool.submit(first, [s for s, _ in b], batch_id=k)
                   for k, b in enumerate(batches)]


def _finish(course, job, progress, pool=None):
    """Record each batch's results as it completes (gradebook, ``autograded/``, state file);
    a submission that failed in its batch is queued on ``pool`` to be graded alone, and
    recorded when that is done."""
    state_dir = course.root / STATE / "state" / job.assignment
    digests = dict(job.todo)
    pending = set(job.futures)
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            value = future.result()
            if isinstance(value, Result):  # graded alone
                results = [value]
            elif isinstance(value, tuple):  # a local batch: (graded, failed)
                results, failed = value
                for result in failed:
                    if pool is None:
                        results.append(job.grader.grade_alone(result))
                    else:
                        pending.add(pool.submit(job.grader.grade_alone, result))
            else:
                results = value
            for result in results:
                _record_state(course, job, result, digests[result.student], state_dir)
                if progress:
                    progress.set_postfix_str(f"{job.assignment}/{result.student}")
                    progress.update(1)
    if job.todo:
        shutil.rmtree(job.work, ignore_errors=True)
    return job.states


def _record_state(course, job, result, digest, state_dir):
    record(course, result, job.names)
    state = {"input_hash": digest, "scores": result.scores, "notes": result.notes,
             "flags": result.flags, "timestamp": result.timestamp, "graded_at": time.time(),
             "ran_on": result.ran_on}
    _write_atomic(state_dir / f"{result.student}.json", json.dumps(state, indent=1))
    job.states[result.student] = state


def _closing(server):
    """A context that closes ``server`` (a :class:`LocalForkServer` or None) at its end."""
    return server if server is not None else contextlib.nullcontext()


def grade_assignments(course, assignments, *, jobs=None, limits=None, force=False, progress=None,
                      feedback=False, cluster=None):
    """Grade every submission of each assignment; returns ``{assignment: {student: state}}``.

    One pool of ``jobs`` workers grades batches of submissions, every kernel forked from one
    warm fork server (:class:`LocalForkServer`, started once for the call and again if it
    dies). The course gradebook is only written from this thread: while the workers grade,
    this thread releases the next assignments (:data:`PIPELINE` ahead; the sandboxes'
    template is released beside the course's release) and records results as they come,
    so the cores never wait for the one-at-a-time steps. A submission that failed in its
    batch is regraded alone as a task of its own. With ``feedback=True`` an assignment's
    ``nbgrader generate_feedback`` joins the pool as soon as its grades are all recorded.

    Parameters
    ----------
    course : Course
    assignments : list of str
    jobs : int, optional
        Workers (default: :func:`grading.limits.default_jobs`).
    limits : Limits, optional
    force : bool
        Regrade even submissions whose grades are up to date.
    progress : tqdm-like, optional
        Gets ``update(1)`` per submission and the current one as ``set_postfix_str``.
    feedback : bool
    cluster : grading.cluster.Cluster, optional
        Grade the batches on this Dask cluster (as many at once as its workers have
        threads); this machine then only prepares, records and writes feedback (``jobs``
        nbgrader runs at once).
    """
    limits = limits or Limits()
    jobs = jobs or default_jobs()
    slots = cluster.slots() if cluster else jobs  # batches graded at once
    done, feedback_runs = {}, []

    def finish(job, last=False):
        done[job.assignment] = _finish(course, job, progress, pool)
        if feedback and done[job.assignment]:
            # the last assignment's feedback has the workers to itself: split it between them
            graded = course.graded_students(job.assignment)
            parts = max(1, min(jobs, len(graded))) if last else 1
            for k in range(parts):
                others = [s for i, s in enumerate(graded) if i % parts != k]
                feedback_runs.append(pool.submit(course.generate_feedback, job.assignment,
                                                 notice="" if limits.sandbox else UNSANDBOXED,
                                                 exclude=others))

    # one warm fork server for every local nbgrader run (a cluster's workers have their own)
    server = (LocalForkServer(memory_bytes=limits.memory_bytes)
              if limits.fork_kernels and cluster is None else None)  # started by _plan
    # with a cluster, a thread per remote batch waits for it, and feedback has its own
    with _closing(server), ThreadPoolExecutor(max(1, slots + (jobs if cluster else 0))) as pool:
        queued = collections.deque()  # planned and submitted, not yet recorded
        for assignment in assignments:
            job = _plan(course, assignment, force=force, limits=limits, progress=progress,
                        cluster=cluster, fork_server=server)
            _submit(pool, job, limits=limits, jobs=slots)
            queued.append(job)
            if len(queued) > PIPELINE:
                finish(queued.popleft())
        while queued:
            finish(queued.popleft(), last=not queued)
        for run in feedback_runs:
            run.result()  # a failed feedback run raises here
    return done


def grade_class(course, assignments=None, *, jobs=None, limits=None, force=False, report=True,
                show_progress=True, scheduler=None):
    """Release, grade, feed back, export and report every assignment of ``course``.

    Parameters
    ----------
    course : Course or path
        A course folder (with ``nbgrader_config.py``: ``python -m grading init-course``).
    assignments : list of str, optional
        Default: every assignment in the course's ``source/``.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://HOST:8786``): grade on its workers
        (:mod:`grading.cluster`); by default this machine grades.

    Returns
    -------
    states : dict
        ``{assignment: {student: state}}``.
    elapsed : float
        Seconds.
    """
    from tqdm.auto import tqdm

    from grading import report as report_mod

    if not isinstance(course, Course):
        course = Course.open(course)
    quiet_student_notebook_warnings()
    limits = limits or Limits()
    if not limits.sandbox:
        print(f"grade-class: {UNSANDBOXED}", file=sys.stderr)
    elif not scheduler:  # (each cluster worker checks its own before it grades)
        sandbox_check.require()  # before anything is graded: stop if the sandbox cannot hold
    names = assignments or course.assignments()
    total = sum(len(course.submitted_students(a)) for a in names)
    start, started_at = time.perf_counter(), time.time()
    cluster = connect(scheduler, limits=limits) if scheduler else None
    try:
        with tqdm(total=total, desc="grading", unit="submission",
                  disable=not show_progress) as bar:
            states = grade_assignments(course, names, jobs=jobs, limits=limits, force=force,
                                       progress=bar, feedback=True, cluster=cluster)
    finally:
        if cluster is not None:
            cluster.close()
    out = course.root / "reports"
    out.mkdir(exist_ok=True)
    course.export(out / "nbgrader_export.csv")
    elapsed = time.perf_counter() - start
    if report:
        report_mod.write(course, names, states, out, elapsed,
                         notice="" if limits.sandbox else UNSANDBOXED,
                         fresh=graded_since(states, started_at))
    return states, elapsed


def connect(scheduler, *, limits):
    """The :class:`grading.cluster.Cluster` at ``scheduler`` (Dask is imported only here)."""
    try:
        from grading import cluster
    except ImportError as err:
        raise CourseError(f"--scheduler needs Dask distributed ({err}): pip install -r "
                          "requirements.txt") from err
    return cluster.Cluster.connect(scheduler, limits=limits)


def quiet_student_notebook_warnings():
    """Hide nbformat's ``DuplicateCellId`` warnings while submissions are read: a student's
    notebook with duplicated cells (a copied test cell, say) is the student's doing, nothing
    the instructor can act on, and preflight restores the cells and notes it per submission."""
    import warnings

    from nbformat.warnings import DuplicateCellId

    warnings.filterwarnings("ignore", category=DuplicateCellId)


def graded_since(states, when):
    """How many of ``states`` (``{assignment: {student: state}}``) were graded at or after
    the epoch time ``when`` (the others were unchanged and kept)."""
    return sum(1 for by_student in states.values() for state in by_student.values()
               if state.get("graded_at", 0) >= when)
