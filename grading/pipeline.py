"""The nbgrader pipeline as plain functions: course folders, releases, submissions, grades.

Everything runs the real ``nbgrader`` command line in a *course folder* (a scratch copy of the
repository's ``nbgrader_config.py`` and ``source/``), so grading experiments never touch the
repository's own gradebook or ``release/``.
"""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
SOLUTION_MARKERS = ("### BEGIN SOLUTION", "### END SOLUTION")


class PipelineError(RuntimeError):
    """An nbgrader command failed; the message carries the end of its output."""


def assignments(root=REPO):
    """Names of the assignments in ``root/source`` (folders holding a notebook), sorted."""
    source = Path(root) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and any(p.glob("*.ipynb")))


def notebook_names(assignment, root=REPO):
    """Notebook file names (without folder) of one assignment."""
    return sorted(p.name for p in (Path(root) / "source" / assignment).glob("*.ipynb"))


def _env():
    env = dict(os.environ)
    # nbgrader starts helper programs (alembic, the kernel) that live beside this Python.
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("MPLBACKEND", "Agg")
    return env


def run_nbgrader(args, course, timeout=None):
    """Run ``nbgrader <args>`` inside ``course``; raise :class:`PipelineError` on failure."""
    cmd = [sys.executable, "-m", "nbgrader", *args]
    proc = subprocess.run(cmd, cwd=course, env=_env(), capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-25:])
        raise PipelineError(f"nbgrader {' '.join(args)} failed in {course}:\n{tail}")
    return proc


def new_course(path, assignment_names, root=REPO):
    """Create a course folder at ``path`` with the config and the given assignments' sources."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    shutil.copy2(Path(root) / "nbgrader_config.py", path / "nbgrader_config.py")
    for name in assignment_names:
        dest = path / "source" / name
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(Path(root) / "source" / name, dest,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return path


def generate_release(course, assignment):
    """``nbgrader generate_assignment``: writes ``course/release/<assignment>``."""
    run_nbgrader(["generate_assignment", assignment, "--force"], course)
    return Path(course) / "release" / assignment


def read_notebook(path):
    return nbformat.read(str(path), as_version=4)


def strip_solution_markers(text):
    """The solution code without its ``### BEGIN/END SOLUTION`` marker lines."""
    return "\n".join(line for line in text.splitlines()
                     if line.strip() not in SOLUTION_MARKERS)


def solution_sources(source_nb):
    """``{grade_id: code}`` of every answer cell of an instructor notebook, markers removed."""
    return {cell.metadata["nbgrader"]["grade_id"]: strip_solution_markers(cell.source)
            for cell in source_nb.cells
            if cell.metadata.get("nbgrader", {}).get("solution")}


def fill_answers(release_nb, answers):
    """A copy of a student notebook with the answer cells in ``answers`` replaced.

    Parameters
    ----------
    release_nb : NotebookNode
        The released (student) notebook.
    answers : dict
        ``{grade_id: code}``; cells not named keep the release's stub.
    """
    nb = nbformat.from_dict(json.loads(json.dumps(release_nb)))
    for cell in nb.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution") and grade_id in answers:
            cell.source = answers[grade_id]
    return nb


def submit(course, student, assignment, notebooks, timestamp=None):
    """Place a student's notebooks where ``nbgrader autograde`` looks for them.

    ``notebooks`` maps file names to NotebookNodes, or to raw text (for broken files).
    """
    folder = Path(course) / "submitted" / student / assignment
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name, nb in notebooks.items():
        text = nb if isinstance(nb, str) else nbformat.writes(nb)
        (folder / name).write_text(text, encoding="utf-8")
    if timestamp:
        (folder / "timestamp.txt").write_text(timestamp)
    return folder


def submitted_students(course, assignment):
    """Students with a ``submitted/<student>/<assignment>/`` folder in ``course``, sorted."""
    root = Path(course) / "submitted"
    return sorted(p.name for p in root.iterdir() if (p / assignment).is_dir()) if root.exists() else []


def autograde(course, assignment, student=None, timeout=None):
    """``nbgrader autograde`` for one student or (default) every submitted student."""
    args = ["autograde", assignment, "--force"]
    if student:
        args.append(f"--student={student}")
    return run_nbgrader(args, course, timeout=timeout)


def grades(course):
    """Every autograded test cell in the course's gradebook.

    Returns
    -------
    list of dict
        ``{"assignment", "student", "notebook", "test", "score", "max_score"}`` per graded cell.
    """
    from nbgrader.api import Gradebook  # slow import: only when grading

    rows = []
    with Gradebook(f"sqlite:///{Path(course) / 'gradebook.db'}") as gb:
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


def same_notebook(path_a, path_b):
    """True when two notebook files hold the same JSON document."""
    return json.loads(Path(path_a).read_text()) == json.loads(Path(path_b).read_text())
