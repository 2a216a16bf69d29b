"""What a student reads after *Validate*: a summary line first, then one short block per
failing test cell, built from the executed notebook.

nbgrader's own report repeats each failing test's source and the whole traceback, frames
inside ``common`` included, on lines too long for the dialog. Here each failing test cell
becomes::

    test_affine_backward (cell 6, 3 points)
    Affine gradient check failed:
      db: relative error 1.00e+00 > threshold 1e-06
        hint: db is dout summed over the batch axis (axis=0), not averaged.
    at line 3 of the test: check_layer(Affine(rng.standard_normal((4, 3)), ...

with frames only from the notebook's own cells (never from ``common``, NumPy or IPython),
and, when a test fails only because a name is undefined, the error of the answer cell that
should have defined it (e.g. its ``SyntaxError``). Cells are numbered from 1 in notebook
order, as the student counts them.

:func:`report` returns the ``{"success", "value"}`` document nbgrader's JupyterLab *Validate*
dialog renders; its HTML parts carry the CSS that wraps long lines (:data:`DIALOG_CSS`).
"""
import html
import re
from dataclasses import dataclass, field

from nbgrader import utils

from grading import cells

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
FRAME_CELL = re.compile(r"^Cell In\[(\d+)\], line (\d+)")
ARROW = re.compile(r"^-+>\s*(\d+)\s?(.*)$")
NAME_ERROR = re.compile(r"name '([^']+)' is not defined")
# exceptions whose message is written for the student (the tests' checks and asserts)
OWN_MESSAGES = ("GradientCheckError", "AssertionError")
WIDTH = 76  # longest line written here; the dialog wraps longer ones (DIALOG_CSS)

VISIBLE_ONLY = ("Validate runs the visible tests only; the hidden tests (other shapes,\n"
                "batch sizes, edge cases) run when your work is graded.")

# Scoped to nbgrader's dialog (#validation-message): wrap long lines instead of widening the
# dialog, and hide the "The following cell failed:" heading above the summary entry.
DIALOG_CSS = """
#validation-message pre { white-space: pre-wrap; overflow-wrap: anywhere; }
#validation-message > div:first-child { display: none; }
#validation-message > div:nth-child(2) pre { font-weight: bold; }
"""


@dataclass
class Failure:
    """One failing test cell: where it is and what the student should read."""

    cell_number: int
    name: str
    points: float
    lines: list = field(default_factory=list)

    def title(self):
        points = f"{self.points:g} point{'s' if self.points != 1 else ''}"
        return f"{self.name} (cell {self.cell_number}, {points})"

    def text(self):
        return "\n".join([self.title(), *self.lines])


def plain(text):
    """``text`` without ANSI colour codes."""
    return ANSI.sub("", text or "")


def shorten(line, width=WIDTH):
    """``line`` cut to ``width`` characters (an ellipsis marks the cut)."""
    line = line.rstrip()
    return line if len(line) <= width else line[:width - 3].rstrip() + "..."


def error_lines(message):
    """An error message split for reading: each ``|``-separated part and each hint on its
    own line (:mod:`common.gradient_check` already writes them so; older messages are
    split here)."""
    out = []
    for part in plain(message).replace(" | ", "\n").splitlines():
        head, sep, hint = part.partition("; hint: ")
        out.append(head.rstrip())
        if sep:
            out.append("  hint: " + hint.strip())
    return [line for line in out if line.strip()]


def _number_by_count(nb):
    """``{execution count: cell number}`` of the executed notebook."""
    return {c.get("execution_count"): i for i, c in enumerate(nb.cells, 1)
            if c.cell_type == "code" and c.get("execution_count")}


def notebook_frames(traceback, nb, own_number):
    """The lines of ``traceback`` (IPython's list of frames) that point into the notebook's
    own cells: ``at line L of the test: <code>`` / ``in cell N, line L: <code>``. Frames in
    files (``common``, NumPy, IPython) are left out."""
    numbers = _number_by_count(nb)
    out = []
    for frame in traceback or []:
        lines = plain(frame).splitlines()
        if not lines:
            continue
        match = FRAME_CELL.match(lines[0].strip())
        if not match:
            continue
        count, line = int(match.group(1)), int(match.group(2))
        code = next((m.group(2).strip() for m in map(ARROW.match, lines[1:]) if m), "")
        number = numbers.get(count)
        where = ("the test" if number == own_number else
                 f"cell {number}" if number else "a cell")
        prefix = f"at line {line} of {where}" if number == own_number else \
            f"in {where}, line {line}"
        out.append(shorten(f"{prefix}: {code}" if code else prefix))
    return out


def _errors(cell):
    return [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]


def _answer_errors(nb, before, timed_out=(), cell_timeout=None):
    """``[(cell number, grade_id, "Ename: evalue")]`` of the answer cells above cell
    ``before`` whose own run failed."""
    out = []
    for number, cell in enumerate(nb.cells[:before - 1], 1):
        if cells.is_answer(cell) and cell.cell_type == "code":
            if number in timed_out:
                out.append((number, cells.grade_id(cell),
                            f"it ran longer than {cell_timeout} s and was stopped"))
                continue
            for output in _errors(cell):
                if output.get("ename") == "NotImplementedError":
                    message = "NotImplementedError (not answered yet)"
                else:
                    message = plain(f"{output.get('ename')}: {output.get('evalue')}".strip())
                    message = message.splitlines()[0] if message else "an error"
                out.append((number, cells.grade_id(cell), message))
    return out


def failure(nb, number, *, timed_out=(), cell_timeout=None):
    """The :class:`Failure` of the test cell numbered ``number`` (from 1) of the executed
    ``nb``. ``timed_out`` holds the numbers of cells stopped after ``cell_timeout`` s."""
    cell = nb.cells[number - 1]
    _, max_score = utils.determine_grade(cell)
    item = Failure(number, cells.grade_id(cell) or f"cell {number}", max_score or 0)
    if cell.get("execution_count") is None and timed_out:
        item.lines.append(f"Not run: cell {timed_out[0]} ran longer than {cell_timeout} s "
                          "and ignored the interrupt;")
        item.lines.append("  no cell after it ran. Restart the kernel, fix that cell, run all.")
        return item
    if number in timed_out:
        item.lines.append(f"Your code in cell {number} ran longer than {cell_timeout} s "
                          "and was stopped.")
        item.lines.append("  hint: look for a loop that never ends, or a much too large "
                          "input; fix it and run the cell again.")
        return item
    errors = _errors(cell)
    for output in errors:
        message = f"{output.get('ename', 'Error')}: {output.get('evalue', '')}".rstrip(": ")
        if output.get("ename") in OWN_MESSAGES and output.get("evalue"):
            message = output["evalue"]  # a test's own words: no exception name in front
        name_error = NAME_ERROR.search(output.get("evalue", "")) \
            if output.get("ename") == "NameError" else None
        if output.get("ename") == "CellTimeoutError":
            earlier = [n for n in timed_out if n < number]
            item.lines.append(f"Not run: cell {earlier[0]} ran longer than {cell_timeout} s."
                              if earlier else "Not run: an earlier cell did not finish.")
            continue
        if name_error:
            item.lines.append(f"{name_error.group(1)} is not defined.")
            broken = _answer_errors(nb, number, timed_out, cell_timeout)
            for cell_number, cell_name, error in broken:
                item.lines.append(shorten(f"  answer cell {cell_number} ({cell_name}) failed: "
                                          f"{error}"))
            if broken:
                item.lines.append("  hint: fix the first answer cell named above and run "
                                  "it; this test then sees its definitions.")
            else:
                item.lines.append("  hint: run the cells above this one first (Run > Run "
                                  "All Above Selected Cell).")
        elif output.get("ename") == "NotImplementedError":
            broken = _answer_errors(nb, number)
            where = f" (answer cell {broken[0][0]}, {broken[0][1]})" if broken else ""
            item.lines.append(f"Not answered yet{where}: replace raise NotImplementedError() "
                              "with your code.")
        else:
            item.lines.extend(error_lines(message))
        item.lines.extend(notebook_frames(output.get("traceback"), nb, number))
    if not errors:
        item.lines.append("Partial credit: some but not all of its checks passed.")
    return item


def failures(nb, *, timed_out=(), cell_timeout=None):
    """``(test cells, [Failure])`` of the executed notebook, in notebook order."""
    tests, failed = [], []
    for number, cell in enumerate(nb.cells, 1):
        if not cells.is_test(cell):
            continue
        tests.append(number)
        score, max_score = utils.determine_grade(cell)
        never_ran = bool(timed_out) and cell.get("execution_count") is None
        if score is not None and (score < max_score or number in timed_out or never_ran):
            failed.append(failure(nb, number, timed_out=timed_out, cell_timeout=cell_timeout))
    return tests, failed


def summary(n_failed, n_tests):
    """The first line of the report."""
    if n_failed == 0:
        return f"All {n_tests} visible test cells pass."
    return f"{n_failed} of {n_tests} test cell{'s' if n_tests != 1 else ''} failed."


def _entry(source, lines, css=False):
    text = html.escape("\n".join(lines))
    return {"source": source, "error": (f"<style>{DIALOG_CSS}</style>" if css else "") + text,
            "raw_error": "\n".join(lines)}


def report(nb, *, timed_out=(), cell_timeout=None):
    """The document nbgrader's *Validate* dialog shows for the executed notebook ``nb``.

    Returns ``{"success": True, "value": {}}`` when every test cell passes (the dialog then
    says "Success! Your notebook passes all the tests."); otherwise ``value`` holds
    ``failed``: a first entry with the summary line, then one entry per failing test cell
    (its title as ``source``, the message as ``error``). A notebook without test cells gets
    one entry saying there is nothing to validate.
    """
    tests, failed = failures(nb, timed_out=timed_out, cell_timeout=cell_timeout)
    if not tests:
        return {"success": True, "value": {"failed": [_entry(
            "This notebook has no test cells: there is nothing to validate.",
            ["Lecture notebooks are not graded: run them top to bottom (Run > Run All",
             "Cells) and change things. Validate the assignment notebooks instead."],
            css=True)]}}
    if not failed:
        return {"success": True, "value": {}}
    lines = [f"Your code in cell {n} ran longer than {cell_timeout} s and was stopped."
             for n in timed_out]
    lines += ["Each failing test is listed below: what it checked, then a hint.",
              "Fix the first one first; later ones often follow from it.", VISIBLE_ONLY]
    head = _entry(summary(len(failed), len(tests)), lines, css=True)
    return {"success": True, "value": {"failed": [head] + [
        _entry(item.title(), item.lines) for item in failed]}}


def as_text(document):
    """The report as plain text, for a terminal (``python -m grading.validate_run``)."""
    value = document.get("value")
    if not document.get("success"):
        return f"Validate could not run:\n{value}"
    if not value:
        return "Success! Your notebook passes all the visible tests.\n" + VISIBLE_ONLY
    out = []
    for key, title in (("type_changed", "A cell's type has changed:"),
                       ("changed", "A read-only cell has changed (undo the change):")):
        for item in value.get(key, []):
            out += [title, item["source"], ""]
    for item in value.get("failed", []):
        out += [item["source"], item["raw_error"], ""]
    return "\n".join(out).rstrip()
