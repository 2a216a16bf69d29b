"""A course folder as nbgrader sees it, and the one way the grader talks to nbgrader.

A *course folder* holds ``nbgrader_config.py``, ``source/<assignment>/``, ``gradebook.db`` and
nbgrader's other steps (``release/``, ``submitted/<student>/<assignment>/``, ``autograded/``,
``feedback/``). :class:`Course` reads the folder names from nbgrader's own
:class:`~nbgrader.coursedir.CourseDirectory` as the course's config sets them (they are never
retyped here), opens the gradebook, writes submissions and runs the real ``nbgrader`` command
line in the folder, with typed :class:`RunOptions` passed as ``--Class.trait=value``
overrides. The repository itself is a course (:data:`REPO`); class grading, the mistake
catalogue and the demo work in scratch course folders made by :meth:`Course.create`, so they
never touch the repository's own gradebook or ``release/``. Sandboxes are courses too.
"""
import functools
import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.coursedir import CourseDirectory
from traitlets.config.loader import PyFileConfigLoader

from grading import cells
from grading.forkkernel import ForkKernelManager
from grading.limits import Limits
from grading.preprocessors import GuardedExecute, ScratchGradebook

REPO = Path(__file__).resolve().parents[1]
CONFIG_FILE = "nbgrader_config.py"  # the file nbgrader reads in a course folder
TIMESTAMP_FILE = "timestamp.txt"     # nbgrader's record of when a submission was handed in
SECRET_FILE = "submission_secret.txt"  # nbgrader submit's key to the student's feedback
NBGRADER_FILES = (TIMESTAMP_FILE, SECRET_FILE)  # what nbgrader itself keeps beside a submission
COPY_IGNORE = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")


class CourseError(RuntimeError):
    """The folder is not a usable course; the message says what to do, in one line."""


class NbgraderError(RuntimeError):
    """An nbgrader command failed; the message carries the end of its output."""


@dataclass(frozen=True, kw_only=True)
class RunOptions:
    """Settings of one nbgrader run, on top of the course's config.

    Each becomes a ``--Class.trait=value`` argument of the trait that implements it; None
    keeps the course's setting.

    Attributes
    ----------
    cell_timeout : int or None
        Seconds per cell (``GuardedExecute.timeout``).
    interrupt_on_timeout : bool or None
        Interrupt a cell past its time and go on (True), or fail the notebook (False).
    shutdown_immediately : bool
        Kill each kernel once its notebook has run instead of asking it to shut down.
    fork_kernels : bool
        Kernels forked from the warm fork server (``GuardedExecute.fork_kernels``).
    fork_server : str or None
        The socket of a fork server that is already running (a Dask worker's); None: the
        nbgrader run starts its own (``ForkKernelManager.server``).
    sandbox : bool or None
        Each kernel in its own OS sandbox (``GuardedExecute.sandbox``; the course's config
        turns it on).
    scratch_gradebook : bool
        The course's gradebook is a scratch copy: commit without waiting for the disk
        (``ScratchGradebook.enabled``).
    """

    cell_timeout: int | None = None
    interrupt_on_timeout: bool | None = None
    shutdown_immediately: bool = False
    fork_kernels: bool = False
    fork_server: str | None = None
    sandbox: bool | None = None
    scratch_gradebook: bool = False

    @classmethod
    def for_sandbox(cls, limits: Limits, *, fork_server: str | None = None):
        """The options of a class-grading sandbox run: a cell past its time fails the
        submission (a loop that ignores interrupts would otherwise stall every later cell;
        the submission is regraded alone with that cell stubbed out), kernels are killed as
        soon as their notebook has run, the gradebook is a scratch copy."""
        return cls(cell_timeout=limits.cell_timeout, interrupt_on_timeout=False,
                   shutdown_immediately=True, fork_kernels=limits.fork_kernels,
                   fork_server=fork_server if limits.fork_kernels else None,
                   sandbox=limits.sandbox, scratch_gradebook=True)

    def argv(self):
        """The command-line overrides, e.g. ``["--GuardedExecute.timeout=30", ...]``."""
        execute, gradebook = GuardedExecute.__name__, ScratchGradebook.__name__
        manager = ForkKernelManager.__name__
        out = []
        if self.cell_timeout is not None:
            out.append(f"--{execute}.timeout={self.cell_timeout}")
        if self.interrupt_on_timeout is not None:
            out.append(f"--{execute}.interrupt_on_timeout={self.interrupt_on_timeout}")
        if self.shutdown_immediately:
            out.append(f"--{execute}.shutdown_kernel=immediate")
        if self.fork_kernels:
            out.append(f"--{execute}.fork_kernels=True")
        if self.fork_server:
            out.append(f"--{manager}.server={self.fork_server}")
        if self.sandbox is not None:
            out.append(f"--{execute}.sandbox={self.sandbox}")
        if self.scratch_gradebook:
            out.append(f"--{gradebook}.enabled=True")
        return out


def quiet_nbgrader_orm():
    """Silence the SQLAlchemy ``SAWarning``s raised inside nbgrader's own gradebook code
    ("Object of type <SubmittedAssignment> not in session ..."): they are about how
    nbgrader 0.9 uses its ORM, harmless, and nothing a user of the grader can act on. Only
    warnings of that category attributed to nbgrader's modules are filtered."""
    import warnings

    from sqlalchemy.exc import SAWarning

    warnings.filterwarnings("ignore", category=SAWarning, module=r"nbgrader(\.|$)")


def nbgrader_environment():
    """The environment of every nbgrader process: this Python's programs first on ``PATH``
    (nbgrader starts alembic and the kernel by name), one BLAS thread, a non-GUI backend."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MPLBACKEND", "Agg")
    return env


class Course:
    """A course folder: its layout, gradebook, submissions and nbgrader runs.

    Parameters
    ----------
    root : path
        The course folder; it must hold ``nbgrader_config.py`` (see :meth:`open`).
    """

    def __init__(self, root):
        self.root = Path(root).resolve()
        config_path = self.root / CONFIG_FILE
        if not config_path.is_file():
            raise CourseError(f"{self.root} has no {CONFIG_FILE}: make it a course folder "
                              f"with `python -m grading init-course {self.root}` (config, "
                              "sources, exchange folder, optional roster), then run this again")
        self.config = PyFileConfigLoader(CONFIG_FILE, path=str(self.root)).load_config()
        self.layout = CourseDirectory(config=self.config)
        self.layout.root = str(self.root)  # wherever the folder has been moved to

    # ------------------------------------------------------------------ making courses
    @classmethod
    def open(cls, root):
        """The course at ``root``; :class:`CourseError` (saying what to run) when ``root`` is
        not a folder or has no ``nbgrader_config.py``."""
        root = Path(root)
        if not root.is_dir():
            raise CourseError(f"{root} is not a folder: give --course the course folder "
                              "(with source/ and submitted/), or make one with `python -m "
                              f"grading init-course {root}`")
        return cls(root)

    @classmethod
    def create(cls, root, assignments, *, like=None):
        """A new course folder at ``root`` with the config and sources of ``like``.

        Parameters
        ----------
        root : path
            Created if missing; assignments already there are replaced.
        assignments : list of str
            The assignments whose ``source/`` folders are copied.
        like : Course, optional
            Where the config and sources come from (default: the repository).
        """
        like = like or repository()
        root = Path(root)
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy2(like.root / CONFIG_FILE, root / CONFIG_FILE)
        course = cls(root)
        for name in assignments:
            dest = course.source(name)
            if dest.exists():
                shutil.rmtree(dest)
            shutil.copytree(like.source(name), dest, ignore=COPY_IGNORE)
        return course

    # ------------------------------------------------------------------------ layout
    def folder(self, step, student=".", assignment=""):
        """nbgrader's folder of one step (e.g. ``layout.submitted_directory``)."""
        return Path(self.layout.format_path(step, student, assignment))

    def source(self, assignment=""):
        return self.folder(self.layout.source_directory, ".", assignment)

    def release(self, assignment=""):
        return self.folder(self.layout.release_directory, ".", assignment)

    def submitted(self, student=".", assignment=""):
        return self.folder(self.layout.submitted_directory, student, assignment)

    def autograded(self, student=".", assignment=""):
        return self.folder(self.layout.autograded_directory, student, assignment)

    def feedback(self, student=".", assignment=""):
        return self.folder(self.layout.feedback_directory, student, assignment)

    def extra_files(self, student, assignment):
        """The files beside the notebooks of a submission that nbgrader autograde copies to
        ``autograded/`` (and generate_feedback on to ``feedback/``): all but the notebooks
        and the config's ``CourseDirectory.ignore`` patterns; relative paths."""
        from nbgrader.utils import find_all_files

        folder = self.submitted(student, assignment)
        if not folder.is_dir():
            return []
        return sorted(Path(p).relative_to(folder) for p in
                      find_all_files(str(folder), list(self.layout.ignore) + ["*.ipynb"]))

    def permissions(self, converter):
        """The file mode nbgrader's ``converter`` (e.g. ``Autograde``, ``GenerateFeedback``)
        gives the files it writes, as this course's config sets it (nbgrader's
        ``BaseConverter.permissions``, e.g. ``0o444`` for autograded files)."""
        from nbgrader import converters

        cls = getattr(converters, converter)
        return int(str(cls(coursedir=self.layout, config=self.config).permissions), 8)

    def source_files(self, assignment):
        """The non-notebook files of ``source/<assignment>`` (relative paths) that nbgrader
        autograde copies over every submission (the config's ignore patterns left out)."""
        from nbgrader.utils import find_all_files

        folder = self.source(assignment)
        return sorted(Path(p).relative_to(folder) for p in
                      find_all_files(str(folder), list(self.layout.ignore) + ["*.ipynb"]))

    @property
    def config_path(self):
        return self.root / CONFIG_FILE

    @property
    def gradebook_path(self):
        """The gradebook's SQLite file (nbgrader's ``CourseDirectory.db_url``)."""
        prefix = "sqlite:///"
        if not self.layout.db_url.startswith(prefix):
            raise CourseError(f"{self.root}: the grader needs an SQLite gradebook, not "
                              f"{self.layout.db_url}")
        return Path(self.layout.db_url[len(prefix):])

    def assignments(self):
        """Names of the assignments in ``source/`` (folders holding a notebook), sorted."""
        source = self.source()
        if not source.is_dir():
            return []
        return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))

    def notebook_names(self, assignment):
        """Notebook file names (without folder) of one assignment."""
        return sorted(p.name for p in self.source(assignment).glob("*.ipynb"))

    def submitted_students(self, assignment):
        """Students with a submission folder of ``assignment``, sorted."""
        root = self.submitted()
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if self.submitted(p.name, assignment).is_dir())

    def graded_students(self, assignment):
        """Students with an ``autograded/`` folder of ``assignment``, sorted."""
        root = self.autograded()
        if not root.is_dir():
            return []
        return sorted(p.name for p in root.iterdir() if self.autograded(p.name, assignment).is_dir())

    # --------------------------------------------------------------------- gradebook
    @contextmanager
    def gradebook(self):
        """nbgrader's :class:`~nbgrader.api.Gradebook` of the course, closed on exit."""
        from nbgrader.api import Gradebook  # slow import: only where a gradebook is opened

        quiet_nbgrader_orm()
        if not self.gradebook_path.exists():
            # nbgrader stamps a new gradebook by running the program `alembic` by name: this
            # Python's programs must be on PATH, as they are for every nbgrader process
            programs = str(Path(sys.executable).parent)
            if programs not in os.environ.get("PATH", "").split(os.pathsep):
                os.environ["PATH"] = programs + os.pathsep + os.environ.get("PATH", "")
        with Gradebook(self.layout.db_url, self.layout.course_id) as gb:
            yield gb

    def students(self):
        """The gradebook's students: ``{id: {"first_name", "last_name", "email",
        "lms_user_id"}}`` (None where the roster gave nothing)."""
        with self.gradebook() as gb:
            return {s.id: {"first_name": s.first_name, "last_name": s.last_name,
                           "email": s.email, "lms_user_id": s.lms_user_id}
                    for s in gb.students}

    def grades(self):
        """Every graded cell in the gradebook (manual adjustments included).

        Returns
        -------
        list of dict
            ``{"assignment", "student", "notebook", "test", "score", "max_score"}`` per cell.
        """
        rows = []
        with self.gradebook() as gb:
            for assignment in gb.assignments:
                for submission in assignment.submissions:
                    for nb in submission.notebooks:
                        for grade in nb.grades:
                            rows.append({"assignment": assignment.name,
                                         "student": submission.student.id,
                                         "notebook": nb.name, "test": grade.name,
                                         "score": float(grade.score),
                                         "max_score": float(grade.max_score)})
        return rows

    # ------------------------------------------------------------------- submissions
    def submit(self, student, assignment, notebooks, *, timestamp=None, secret=None):
        """Place a student's notebooks where ``nbgrader autograde`` looks for them.

        Parameters
        ----------
        notebooks : dict
            ``{file name: NotebookNode}``, or raw text for a damaged file.
        timestamp : str, optional
            When it was handed in (nbgrader's ``timestamp.txt``).
        secret : str, optional
            The key ``nbgrader submit`` makes for the student's feedback
            (``submission_secret.txt``, which ``nbgrader collect`` keeps).

        Returns
        -------
        Path
            The submission folder (replaced if it existed).
        """
        folder = self.submitted(student, assignment)
        if folder.exists():
            shutil.rmtree(folder)
        folder.mkdir(parents=True)
        for name, nb in notebooks.items():
            text = nb if isinstance(nb, str) else nbformat.writes(nb)
            (folder / name).write_text(text, encoding="utf-8")
        if timestamp:
            (folder / TIMESTAMP_FILE).write_text(timestamp)
        if secret:
            (folder / SECRET_FILE).write_text(secret)
        return folder

    # ------------------------------------------------------------------ nbgrader runs
    def nbgrader_command(self, *args, options=None):
        """The argv of ``nbgrader <args>`` with ``options``' overrides."""
        return [sys.executable, "-m", "nbgrader", *args, *(options.argv() if options else [])]

    def nbgrader(self, *args, options=None, timeout=None):
        """Run ``nbgrader <args>`` in the course folder; raise :class:`NbgraderError` on failure."""
        proc = subprocess.run(self.nbgrader_command(*args, options=options), cwd=self.root,
                              env=nbgrader_environment(), capture_output=True, text=True,
                              timeout=timeout)
        if proc.returncode != 0:
            tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
            raise NbgraderError(f"nbgrader {' '.join(args)} failed in {self.root}:\n{tail}")
        return proc

    def generate_release(self, assignment):
        """``nbgrader generate_assignment``: writes ``release/<assignment>``; returns that folder."""
        self.nbgrader("generate_assignment", assignment, "--force")
        return self.release(assignment)

    def autograde(self, assignment, *, student=None, options=None, timeout=None):
        """``nbgrader autograde`` for one student or (default) every submitted student."""
        args = ["autograde", assignment, "--force"] + ([f"--student={student}"] if student else [])
        return self.nbgrader(*args, options=options, timeout=timeout)

    def generate_feedback(self, assignment, *, exclude=(), notice=""):
        """``nbgrader generate_feedback`` for every graded student not in ``exclude``; a
        ``notice`` heads every feedback page (``SanitizeFeedback.notice``)."""
        args = ["generate_feedback", assignment, "--force"]
        if exclude:
            args.append("--CourseDirectory.student_id_exclude=" + ",".join(exclude))
        if notice:
            args.append(f"--SanitizeFeedback.notice={notice}")
        return self.nbgrader(*args)

    def export(self, path):
        """``nbgrader export`` of the whole gradebook to the CSV file ``path``."""
        return self.nbgrader("export", f"--to={path}")

    # -------------------------------------------------------------- the notebooks
    def source_notebook(self, assignment, name):
        return cells.read(self.source(assignment) / name)

    def release_notebook(self, assignment, name):
        return cells.read(self.release(assignment) / name)

    def solved_notebooks(self, assignment, answers=None):
        """``{name: release notebook with the instructor's answers}`` (``answers`` overrides
        some of them: ``{grade_id: code}``); the release must have been generated."""
        out = {}
        for name in self.notebook_names(assignment):
            solutions = cells.solution_sources(self.source_notebook(assignment, name))
            out[name] = cells.fill_answers(self.release_notebook(assignment, name),
                                           {**solutions, **(answers or {})})
        return out


@functools.cache
def repository():
    """The repository's own course (its ``source/`` and committed ``release/``)."""
    return Course(REPO)
