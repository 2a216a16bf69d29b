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
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from grading import cells, find_fatal, guard, preflight, sandbox, sandbox_check
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


# ------------------------------------------------------------------------------- sandboxes
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
    fork_server : str or None
        The socket of a fork server that outlives this grader (a Dask worker's); None: each
        nbgrader run starts its own.
    """

    course: Course | None
    assignment: str
    names: list
    work: Path
    template: Course
    limits: Limits
    fork_server: str | None = None

    @classmethod
    def prepare(cls, course, assignment, *, work, limits):
        """Make the template course in ``work`` (release and gradebook of ``assignment``)."""
        path = Path(work) / "template"
        if path.exists():
            shutil.rmtree(path)
        template = Course.create(path, [assignment], like=course)
        template.generate_release(assignment)
        with course.gradebook() as master:
            duedate = master.find_assignment(assignment).duedate
        if duedate is not None:
            with template.gradebook() as gb:
                gb.update_or_create_assignment(assignment, duedate=duedate)
        return cls(course=course, assignment=assignment, names=course.notebook_names(assignment),
                   work=Path(work), template=template, limits=limits)

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
        options = RunOptions.for_sandbox(self.limits, fork_server=self.fork_server)
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
        box = self.sandbox(f"batch-{batch_id}")
        staged = [result for result in results if self.place(box, result)]
        if staged:
            self.autograde(box, len(staged))
        for result in staged:
            if not self.collect(box, result):
                self.grade_alone(result)
        return results

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


def _plan(course, assignment, *, force, limits, progress, cluster=None):
    """Release ``assignment``; find the submissions whose grades are missing or out of date."""
    work = course.root / STATE / "work" / assignment
    state_dir = course.root / STATE / "state" / assignment
    course.generate_release(assignment)
    # grades made without the sandbox are redone once it is back
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
    if todo:
        job.grader = AssignmentGrader.prepare(course, assignment, work=work, limits=limits)
        job.runner = cluster.remote(job.grader) if cluster else job.grader
    return job


def _submit(pool, job, *, limits, jobs):
    """Queue the job's batches on ``pool``."""
    # big batches amortize the start-up of nbgrader and of its fork server; one batch per
    # worker is enough, since the pool holds the next assignment's batches too
    size = max(1, min(limits.batch_size, -(-len(job.todo) // max(1, jobs))))
    batches = [job.todo[i:i + size] for i in range(0, len(job.todo), size)]
    job.futures = [pool.submit(job.runner.grade_batch, [s for s, _ in b], batch_id=k)
                   for k, b in enumerate(batches)]


def _finish(course, job, progress):
    """Record each batch's results as it completes (gradebook, ``autograded/``, state file)."""
    state_dir = course.root / STATE / "state" / job.assignment
    digests = dict(job.todo)
    for future in as_completed(job.futures):
        for result in future.result():
            record(course, result, job.names)
            state = {"input_hash": digests[result.student], "scores": result.scores,
                     "notes": result.notes, "flags": result.flags,
                     "timestamp": result.timestamp, "graded_at": time.time(),
                     "ran_on": result.ran_on}
            _write_atomic(state_dir / f"{result.student}.json", json.dumps(state, indent=1))
            job.states[result.student] = state
            if progress:
                progress.set_postfix_str(f"{job.assignment}/{result.student}")
                progress.update(1)
    if job.todo:
        shutil.rmtree(job.work, ignore_errors=True)
    return job.states


def grade_assignments(course, assignments, *, jobs=None, limits=None, force=False, progress=None,
                      feedback=False, cluster=None):
    """Grade every submission of each assignment; returns ``{assignment: {student: state}}``.

    One pool of ``jobs`` workers grades batches of submissions. The course gradebook is only
    written from this thread: while the workers grade one assignment, this thread releases
    the next one and prepares its sandboxes, then records the first one's results, so the
    cores never wait for the one-at-a-time steps. With ``feedback=True`` an assignment's
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
    done, previous, feedback_runs = {}, None, []

    def finish(job, last=False):
        done[job.assignment] = _finish(course, job, progress)
        if feedback and done[job.assignment]:
            # the last assignment's feedback has the workers to itself: split it between them
            graded = course.graded_students(job.assignment)
            parts = max(1, min(jobs, len(graded))) if last else 1
            for k in range(parts):
                others = [s for i, s in enumerate(graded) if i % parts != k]
                feedback_runs.append(pool.submit(course.generate_feedback, job.assignment,
                                                 notice="" if limits.sandbox else UNSANDBOXED,
                                                 exclude=others))

    # with a cluster, a thread per remote batch waits for it, and feedback has its own
    with ThreadPoolExecutor(max(1, slots + (jobs if cluster else 0))) as pool:
        for assignment in assignments:
            job = _plan(course, assignment, force=force, limits=limits, progress=progress,
                        cluster=cluster)
            _submit(pool, job, limits=limits, jobs=slots)
            if previous is not None:
                finish(previous)
            previous = job
        if previous is not None:
            finish(previous, last=True)
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
