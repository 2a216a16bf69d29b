"""Make any submitted folder gradable: what nbgrader assumes but students do not guarantee.

``prepare`` turns whatever a student handed in into notebooks with exactly the released
structure, and says in short notes what it had to do:

* a file that is not valid JSON / not a notebook, or is too large, cannot be graded (0 points);
* a notebook under another name is used when it is the only candidate ("renamed");
* a missing notebook gets 0; extra files are ignored;
* the notebook is rebuilt from the release: every read-only and test cell comes from the
  release (so edited, deleted, reordered or duplicated test cells and changed cell metadata or
  ids have no effect); every answer cell comes from the student (matched by nbgrader grade id,
  else by cell id); cells the student added stay after the answer cell they followed;
* outputs are dropped (a 200 MB output costs nothing);
* code that reaches into the grader (``grading``, ``sys.modules``, ``gc``, ``ctypes``, the
  kernel's builtins) is flagged for the instructor to review.
"""
import json
import re
from pathlib import Path

import nbformat

from grading import cells
from grading.course import NBGRADER_FILES

MAX_BYTES = 300 * 2 ** 20  # larger files are refused without being parsed

SUSPICIOUS = re.compile(
    r"\bgrading\b|sys\.modules|\bimport gc\b|\bctypes\b|__builtins__|_grader_restore|"
    r"get_ipython\(\)\.events|"
    # assigning to an attribute of a library module: np.allclose = ..., builtins.max = ...
    r"^\s*(np|numpy|builtins|common(\.\w+)*|gc|math)\.[\w.]+\s*=(?!=)", re.MULTILINE)


def _read(path, notes):
    size = path.stat().st_size
    if size > MAX_BYTES:
        notes.append(f"{path.name}: {size / 2**20:.0f} MB is over the {MAX_BYTES // 2**20} MB "
                     "limit; not graded (0 points)")
        return None
    try:
        data = json.loads(path.read_bytes())
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
            raise ValueError("no list of cells")
    except (ValueError, UnicodeDecodeError) as err:
        notes.append(f"{path.name}: not a readable notebook ({type(err).__name__}); "
                     "not graded (0 points)")
        return None
    return data


def rebuild(student, release_nb, notes, name):
    """The release notebook with the student's answer cells (and added cells) in place."""
    answers, answers_by_id, extra_after = {}, {}, {}
    last_answer = None
    release_ids = {c.get("id") for c in release_nb.cells}
    release_grade_ids = {cells.grade_id(c) for c in release_nb.cells} - {None}
    locked_in_release = [(cells.grade_id(c) or c.get("id"), c.source)
                         for c in release_nb.cells if cells.is_locked(c)]
    locked_in_student = []
    for cell in student.get("cells", []):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("code", "markdown", "raw"):
            continue
        meta = cells.meta(cell)
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        grade_id = meta.get("grade_id")
        if meta.get("solution") and grade_id in release_grade_ids:
            answers.setdefault(grade_id, source)
            last_answer = grade_id
        elif cell.get("id") in release_ids and not meta:
            answers_by_id.setdefault(cell.get("id"), source)
        elif grade_id in release_grade_ids or cell.get("id") in release_ids:
            if meta.get("locked") or meta.get("grade"):
                locked_in_student.append((grade_id or cell.get("id"), source))
        elif cell.get("cell_type") == "code" and source.strip():
            extra_after.setdefault(last_answer, []).append(source)
    changed_tests = locked_in_student != locked_in_release
    out = cells.copy(release_nb)
    rebuilt, missing = [], []
    for cell in out.cells:
        if cells.is_answer(cell):
            gid = cells.grade_id(cell)
            if gid in answers:
                cell.source = answers[gid]
            elif cell.get("id") in answers_by_id:
                cell.source = answers_by_id[cell.get("id")]
                notes.append(f"{name}: answer cell {gid} found by cell id (its metadata was changed)")
            else:
                missing.append(gid)
            rebuilt.append(cell)
            for source in extra_after.pop(gid, []):
                rebuilt.append(nbformat.v4.new_code_cell(source))
        else:
            rebuilt.append(cell)
    # cells added before the first answer go right before it
    if None in extra_after:
        first = next((i for i, c in enumerate(rebuilt) if cells.is_answer(c)), len(rebuilt))
        rebuilt[first:first] = [nbformat.v4.new_code_cell(s) for s in extra_after.pop(None)]
    out.cells = rebuilt
    cells.clear_outputs(out)
    if missing:
        notes.append(f"{name}: answer cell(s) missing or unrecognisable: {', '.join(missing)}")
    if changed_tests:
        notes.append(f"{name}: edited/moved test or read-only cells were restored from the release")
    return out


def prepare(submission_dir, release_dir, notebook_names):
    """Rebuild a student's submission.

    Parameters
    ----------
    submission_dir : Path
        ``submitted/<student>/<assignment>``.
    release_dir : Path
        The generated release of the assignment.
    notebook_names : list of str
        Expected notebook file names.

    Returns
    -------
    notebooks : dict
        ``{name: NotebookNode or None}``; None means "not gradable: 0 points".
    notes : list of str
        Short reasons, shown in the report.
    flags : list of str
        Suspicious code for the instructor to review.
    """
    submission_dir = Path(submission_dir)
    notes, flags = [], []
    present = {p.name: p for p in submission_dir.glob("*.ipynb")} if submission_dir.exists() else {}
    unexpected = sorted(set(present) - set(notebook_names))
    notebooks = {}
    for name in notebook_names:
        path = present.get(name)
        if path is None and len(notebook_names) == 1 and len(unexpected) == 1:
            path = present[unexpected.pop()]
            notes.append(f"notebook renamed to {path.name}; graded as {name}")
        if path is None:
            notes.append(f"{name}: not submitted (0 points)")
            notebooks[name] = None
            continue
        data = _read(path, notes)
        if data is None:
            notebooks[name] = None
            continue
        release_nb = nbformat.read(str(Path(release_dir) / name), as_version=4)
        nb = rebuild(data, release_nb, notes, name)
        for cell in nb.cells:
            if cell.cell_type == "code" and not cells.is_locked(cell) and SUSPICIOUS.search(cell.source):
                flags.append(f"{name}: code touching the grader or interpreter internals "
                             f"({SUSPICIOUS.search(cell.source).group(0)}); review by hand")
        notebooks[name] = nb
    others = sorted(p.name for p in submission_dir.iterdir()
                    if p.is_file() and p.suffix != ".ipynb" and p.name not in NBGRADER_FILES) \
        if submission_dir.exists() else []
    if unexpected or others:
        notes.append("ignored extra file(s): " + ", ".join(unexpected + others))
    return notebooks, notes, flags
