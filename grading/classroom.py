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
import hashlib
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

from grading import pipeline, preflight

STATE = ".grading"  # per-course working folder (sandboxes, state files)
# One worker more than there are cores: a worker spends part of its time waiting for its
# kernel's messages and for the disk. On 2 cores, 1,100 submissions took 573 and 581 s with
# 3 workers against 605-634 s with 2 (bench/grade_scale.py, README).
DEFAULT_JOBS = (os.cpu_count() or 1) + 1


@dataclass
class Limits:
    """Per-submission limits."""

    memory_bytes: int = 4 * 2 ** 30   # address space of nbgrader and of the kernel, each
    cell_timeout: int = 30            # seconds per cell (nbgrader interrupts the cell)
    submission_timeout: int = 120     # wall seconds for one submission
    batch_size: int = 50              # at most this many submissions per nbgrader run
    fork_kernels: bool = True         # kernels forked from a warm process (grading/forkserver.py)


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


# ------------------------------------------------------------------------------ utilities
def _grader_fingerprint():
    parts = [Path(pipeline.__file__).with_name(n).read_bytes()
             for n in ("guard.py", "kernel_guard.py", "preflight.py", "classroom.py",
                       "nbgrader_patches.py")]
    parts.append((pipeline.REPO / "nbgrader_config.py").read_bytes())
    return hashlib.sha256(b"".join(parts)).hexdigest()


def input_hash(course, assignment, student, fingerprint):
    """Hash of everything a grade depends on: submission files, source notebooks, grader."""
    h = hashlib.sha256(fingerprint.encode())
    for folder in (Path(course) / "submitted" / student / assignment,
                   Path(course) / "source" / assignment):
        for p in sorted(folder.rglob("*")) if folder.exists() else []:
            if p.is_file():
                h.update(str(p.relative_to(folder)).encode())
                with open(p, "rb") as f:
                    for chunk in iter(lambda: f.read(1 << 20), b""):
                        h.update(chunk)
    return h.hexdigest()


def _write_atomic(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def _limited(memory_bytes):
    def preexec():
        os.setsid()  # own process group: a timeout kills nbgrader and its kernel together
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    return preexec


def run_limited(cmd, cwd, timeout, memory_bytes, env=None):
    """Run ``cmd`` with a memory limit; on timeout kill its whole process group.

    Returns ``(returncode or None on timeout, output)``.
    """
    proc = subprocess.Popen(cmd, cwd=cwd, env=env or pipeline._env(), stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            preexec_fn=_limited(memory_bytes))
    try:
        out, _ = proc.communicate(timeout=timeout)
        return proc.returncode, out
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        return None, out


# ------------------------------------------------------------------------------- sandboxes
def template_gradebook(course, assignment, work):
    """A gradebook holding only the assignment (no students), copied into every sandbox."""
    tmpl = work / "template"
    if tmpl.exists():
        shutil.rmtree(tmpl)
    pipeline.new_course(tmpl, [assignment], root=course)
    pipeline.generate_release(tmpl, assignment)
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as master:
        duedate = master.find_assignment(assignment).duedate
    if duedate is not None:
        with Gradebook(f"sqlite:///{tmpl / 'gradebook.db'}") as gb:
            gb.update_or_create_assignment(assignment, duedate=duedate)
    return tmpl


def _sandbox(work, template, name):
    box = work / name
    if box.exists():
        shutil.rmtree(box)
    box.mkdir(parents=True)
    shutil.copy2(template / "nbgrader_config.py", box)
    shutil.copytree(template / "source", box / "source")
    shutil.copy2(template / "gradebook.db", box / "gradebook.db")
    return box


def _stage(box, course, assignment, student, names, release_dir):
    """Preflight one submission into a sandbox; return its Result (scores still empty)."""
    src = Path(course) / "submitted" / student / assignment
    notebooks, notes, flags = preflight.prepare(src, release_dir, names)
    result = Result(student, assignment, notes=notes, flags=flags, rebuilt=notebooks)
    stamp = src / "timestamp.txt"
    result.timestamp = stamp.read_text().strip() if stamp.exists() else None
    gradable = {n: nb for n, nb in notebooks.items() if nb is not None}
    if gradable:
        dest = box / "submitted" / student / assignment
        dest.mkdir(parents=True, exist_ok=True)
        for name, nb in gradable.items():
            nbformat.write(nb, str(dest / name))
        if result.timestamp:
            (dest / "timestamp.txt").write_text(result.timestamp)
    return result, bool(gradable)


def _collect(box, result, names):
    """Read a sandbox's grades for ``result.student``; True when every gradable notebook was graded."""
    from nbgrader.api import Gradebook, MissingEntry

    graded_dir = box / "autograded" / result.student / result.assignment
    ok = True
    with Gradebook(f"sqlite:///{box / 'gradebook.db'}") as gb:
        for name in names:
            nb_name = Path(name).stem
            if result.rebuilt.get(name) is None:
                continue
            try:
                sub = gb.find_submission_notebook(nb_name, result.assignment, result.student)
            except MissingEntry:
                ok = False
                continue
            if not (graded_dir / name).exists() or any(g.auto_score is None for g in sub.grades):
                ok = False
                continue
            result.scores[name] = {g.name: float(g.auto_score) for g in sub.grades}
            result.penalties[name] = float(sub.late_submission_penalty or 0.0)
            result.notes.extend(answer_errors(graded_dir / name, name))
    result.graded_dir = graded_dir if ok else None
    return ok


EXPLAIN = {"MemoryError": "ran out of memory (the per-submission limit)",
           "SystemExit": "called exit()", "CellTimeoutError": "ran out of time",
           "KeyboardInterrupt": "was interrupted"}


def answer_errors(path, name):
    """Short notes for answer cells that ended in an error (e.g. MemoryError, SystemExit)."""
    notes = []
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "code" and meta.get("solution"):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error" and out.get("ename") != "NotImplementedError":
                    why = EXPLAIN.get(out.get("ename"), f"raised {out.get('ename')}")
                    notes.append(f"{name}: answer cell {meta.get('grade_id')} {why}")
    return notes


def _autograde(box, assignment, limits, n, student=None):
    # A cell past its time limit fails the submission (instead of being interrupted): a loop
    # that ignores interrupts would otherwise stall every later cell; the submission is then
    # regraded alone with the offending cell stubbed out.
    # Kernels are forked from a warm process (grading/forkserver.py) and killed as soon as the
    # notebook has run: everything is saved by then, and a graceful shutdown costs 0.1 s each.
    cmd = [sys.executable, "-m", "nbgrader", "autograde", assignment, "--force",
           f"--Execute.timeout={limits.cell_timeout}", "--Execute.interrupt_on_timeout=False",
           "--Execute.shutdown_kernel=immediate"]
    if student:
        cmd.append(f"--student={student}")
    # the sandbox's gradebook is a scratch copy: it may skip fsync (grading/nbgrader_patches.py)
    env = dict(pipeline._env(), DL2_FORK_KERNELS="1" if limits.fork_kernels else "0",
               DL2_SCRATCH_GRADEBOOK="1")
    return run_limited(cmd, box, timeout=30 + limits.submission_timeout * n,
                       memory_bytes=limits.memory_bytes, env=env)


def grade_batch(course, assignment, students, work, template, names, limits, batch_id):
    """Grade some students in one sandbox; fall back to one by one for those that failed."""
    release_dir = template / "release" / assignment
    box = _sandbox(work, template, f"batch-{batch_id}")
    results, staged = [], []
    for s in students:
        result, gradable = _stage(box, course, assignment, s, names, release_dir)
        results.append(result)
        if gradable:
            staged.append(result)
    if staged:
        _autograde(box, assignment, limits, len(staged))
    for result in staged:
        if not _collect(box, result, names):
            grade_alone(course, assignment, result, work, template, names, limits)
    return results


def grade_alone(course, assignment, result, work, template, names, limits, attempts=3):
    """Grade one submission by itself; stub out the cell that kills or hangs the kernel."""
    release_dir = template / "release" / assignment
    for attempt in range(attempts + 1):
        box = _sandbox(work, template, f"alone-{result.student}")
        dest = box / "submitted" / result.student / assignment
        dest.mkdir(parents=True)
        for name, nb in result.rebuilt.items():
            if nb is not None:
                nbformat.write(nb, str(dest / name))
        if result.timestamp:
            (dest / "timestamp.txt").write_text(result.timestamp)
        code, output = _autograde(box, assignment, limits, 1, student=result.student)
        if _collect(box, result, names):
            return result
        if attempt == attempts:
            break
        if not _stub_fatal_cell(box, result, limits):
            break
    tail = "timed out" if code is None else (output.strip().splitlines() or ["unknown error"])[-1]
    result.notes.append(f"could not be graded ({tail[:120]}); 0 points")
    result.scores, result.graded_dir = {}, None
    return result


FIND_FATAL = r"""
import sys, nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from grading.guard import InjectGuard
nb = nbformat.read(sys.argv[1], 4)
original = list(nb.cells)
nb, _ = InjectGuard().preprocess(nb, {})
client = NotebookClient(nb, timeout=int(sys.argv[2]), allow_errors=True,
                        interrupt_on_timeout=False, kernel_name="python3")
with client.setup_kernel():
    for i, cell in enumerate(nb.cells):
        try:
            client.execute_cell(cell, i)
        except (CellTimeoutError, DeadKernelError, RuntimeError) as err:
            idx = next((k for k, c in enumerate(original) if c is cell), -1)
            print("FATAL", idx, type(err).__name__, flush=True)
            break
"""


def _stub_fatal_cell(box, result, limits):
    """Find the cell that kills or hangs the kernel and replace the answer behind it."""
    for name, nb in result.rebuilt.items():
        if nb is None:
            continue
        path = box / f"probe-{name}"
        nbformat.write(nb, str(path))
        _, out = run_limited([sys.executable, "-c", FIND_FATAL, str(path), str(limits.cell_timeout)],
                             box, timeout=60 + limits.submission_timeout,
                             memory_bytes=limits.memory_bytes)
        found = [line.split() for line in out.splitlines() if line.startswith("FATAL ")]
        if not found:
            continue
        _, index, error = found[0]
        index = int(index)
        if index < 0:
            continue
        # the answer cell at or before the fatal cell is the one to blame
        culprit = next((k for k in range(index, -1, -1) if nb.cells[k].cell_type == "code" and (
            nb.cells[k].metadata.get("nbgrader", {}).get("solution")
            or not nb.cells[k].metadata.get("nbgrader"))), None)
        if culprit is None:
            continue
        cell = nb.cells[culprit]
        label = cell.metadata.get("nbgrader", {}).get("grade_id", f"cell {culprit}")
        why = {"DeadKernelError": "stopped the Python kernel (exit or kill)",
               "CellTimeoutError": f"ran past {limits.cell_timeout} s and ignored interrupts"
               }.get(error, f"broke the kernel ({error})")
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
    from nbgrader.api import Gradebook

    course = Path(course)
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
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
    dest = course / "autograded" / result.student / result.assignment
    staging = dest.with_name(dest.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    for name in names:
        graded = result.graded_dir / name if result.graded_dir else None
        if graded is not None and graded.exists():
            shutil.copy2(graded, staging / name)
        else:  # not gradable: a copy of the release that says why, so feedback explains it
            nb = nbformat.read(str(course / "release" / result.assignment / name), as_version=4)
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(
                "**Not graded:** " + "; ".join(result.notes or ["no gradable notebook"])))
            nbformat.write(nb, str(staging / name))
    if dest.exists():
        shutil.rmtree(dest)
    os.replace(staging, dest)


# ------------------------------------------------------------------------------ the job
@dataclass
class _Job:
    """One assignment being graded: what is left to grade, its sandboxes and its batches."""

    assignment: str
    names: list
    states: dict                                  # student -> state dict
    todo: list                                    # (student, input hash) still to grade
    work: Path
    template: Path = None
    futures: list = field(default_factory=list)


def _plan(course, assignment, force, progress):
    """Release ``assignment``; find the submissions whose grades are missing or out of date."""
    work = course / STATE / "work" / assignment
    state_dir = course / STATE / "state" / assignment
    pipeline.generate_release(course, assignment)
    names = pipeline.notebook_names(assignment, root=course)
    fingerprint = _grader_fingerprint()
    states, todo = {}, []
    for student in pipeline.submitted_students(course, assignment):
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
    job = _Job(assignment, names, states, todo, work)
    if todo:
        job.template = template_gradebook(course, assignment, work)
    return job


def _submit(pool, course, job, limits, jobs):
    """Queue the job's batches on ``pool``."""
    # big batches amortize the start-up of nbgrader and of its fork server (~3 s of CPU each);
    # one batch per worker is enough, since the pool holds the next assignment's batches too
    size = max(1, min(limits.batch_size, -(-len(job.todo) // max(1, jobs))))
    batches = [job.todo[i:i + size] for i in range(0, len(job.todo), size)]
    job.futures = [pool.submit(grade_batch, course, job.assignment, [s for s, _ in b], job.work,
                               job.template, job.names, limits, k)
                   for k, b in enumerate(batches)]


def _finish(course, job, progress):
    """Record each batch's results as it completes (gradebook, ``autograded/``, state file)."""
    state_dir = course / STATE / "state" / job.assignment
    digests = dict(job.todo)
    for future in as_completed(job.futures):
        for result in future.result():
            record(course, result, job.names)
            state = {"input_hash": digests[result.student], "scores": result.scores,
                     "notes": result.notes, "flags": result.flags,
                     "timestamp": result.timestamp}
            _write_atomic(state_dir / f"{result.student}.json", json.dumps(state, indent=1))
            job.states[result.student] = state
            if progress:
                progress.set_postfix_str(f"{job.assignment}/{result.student}")
                progress.update(1)
    if job.todo:
        shutil.rmtree(job.work, ignore_errors=True)
    return job.states


def grade_assignments(course, assignments, *, jobs=None, limits=None, force=False, progress=None,
                      feedback=False):
    """Grade every submission of each assignment; returns ``{assignment: {student: state}}``.

    One pool of ``jobs`` workers grades batches of submissions. The course gradebook is only
    written from this thread: while the workers grade one assignment, this thread releases
    the next one and prepares its sandboxes, then records the first one's results, so the
    cores never wait for the one-at-a-time steps. With ``feedback=True`` an assignment's
    ``nbgrader generate_feedback`` joins the pool as soon as its grades are all recorded.
    """
    limits = limits or Limits()
    jobs = jobs or DEFAULT_JOBS
    course = Path(course)
    done, previous, feedback_runs = {}, None, []

    def finish(job, last=False):
        done[job.assignment] = _finish(course, job, progress)
        if feedback and done[job.assignment]:
            # the last assignment's feedback has the workers to itself: split it between them
            graded = sorted(p.parent.name for p in course.glob(f"autograded/*/{job.assignment}"))
            parts = max(1, min(jobs, len(graded))) if last else 1
            for k in range(parts):
                args = ["generate_feedback", job.assignment, "--force"]
                others = [s for i, s in enumerate(graded) if i % parts != k]
                if others:
                    args.append("--CourseDirectory.student_id_exclude=" + ",".join(others))
                feedback_runs.append(pool.submit(pipeline.run_nbgrader, args, course))

    with ThreadPoolExecutor(max(1, jobs)) as pool:
        for assignment in assignments:
            job = _plan(course, assignment, force, progress)
            _submit(pool, course, job, limits, jobs)
            if previous is not None:
                finish(previous)
            previous = job
        if previous is not None:
            finish(previous, last=True)
        for run in feedback_runs:
            run.result()  # a failed feedback run raises here
    return done


def grade_assignment(course, assignment, *, jobs=None, limits=None, force=False, progress=None):
    """Grade every submission of one assignment; returns ``{student: state dict}``."""
    return grade_assignments(course, [assignment], jobs=jobs, limits=limits, force=force,
                             progress=progress)[assignment]


def grade_class(course, assignments=None, *, jobs=None, limits=None, force=False, report=True,
                show_progress=True):
    """Release, grade, feed back, export and report every assignment of ``course``."""
    from tqdm.auto import tqdm

    from grading import report as report_mod

    course = Path(course)
    names = assignments or pipeline.assignments(course)
    total = sum(len(pipeline.submitted_students(course, a)) for a in names)
    start = time.perf_counter()
    with tqdm(total=total, desc="grading", unit="submission", disable=not show_progress) as bar:
        states = grade_assignments(course, names, jobs=jobs, limits=limits, force=force,
                                   progress=bar, feedback=True)
    out = course / "reports"
    out.mkdir(exist_ok=True)
    pipeline.run_nbgrader(["export", f"--to={out / 'nbgrader_export.csv'}"], course)
    elapsed = time.perf_counter() - start
    if report:
        report_mod.write(course, names, states, out, elapsed)
    return states, elapsed
