"""Keep answer cells from rewriting the tools the tests use.

An answer cell runs in the same Python process as the tests after it, so it could make a wrong
gradient pass by rebinding what the tests call: ``np.allclose = lambda *a, **k: True``,
``common.gradient_check.check_layer = ...``, ``builtins.abs = ...``, or the notebook's own
``check_layer`` name. Around the execution of every graded notebook
(:class:`grading.preprocessors.GuardedExecute`):

* :func:`inject` adds a cell in front of the first answer cell that calls
  :func:`grading.kernel_guard.install` (a snapshot of the modules the tests rely on and of the
  notebook's imported names), and starts every test cell with a call of the ``restore``
  function it returns, under a random name. Tests then judge the student's own code with the
  real tools; the student keeps the credit for everything done correctly.
* :func:`remove` takes those additions out again, so graded and feedback notebooks show the
  cells as released, and the tracebacks of test cells (what instructors read in formgrader)
  neither show the injected line nor count it in their line numbers.
* The last injected cell (:func:`inject` adds it at the end) asks the kernel how often the real
  ``restore`` ran (:func:`grading.kernel_guard.audit`, under a fresh random token);
  :func:`audit` compares that with the test cells that ran. A submission that switched the
  guard off (rebinding the restore name, say) is then flagged for review.

This defeats the ordinary ways of patching the tests. A determined attacker with full Python
inside the kernel who has read this code can defeat any in-process guard and its audit; the
wall that holds is the OS sandbox around the kernel (grading/sandbox.py), and
``grading.preflight`` also flags submissions whose code touches the grader, ``sys.modules``,
``gc`` or ``ctypes`` for review.
"""
import re
import secrets

from nbformat.v4 import new_code_cell

from grading import cells, kernel_guard

TAG = "# grader: restore the tools the tests use"
GUARD_CELL = "grader_guard"  # cell metadata key of the injected cells
AUDIT_CELL = "grader_audit"  # cell metadata key of the injected audit cell (holds its token)
AUDIT_KEY = "grader_guard_audit"  # notebook metadata: the audit's verdict, kept in the graded notebook
RESTORE_PREFIX = "_grader_restore_"
_RESTORE_CALL = re.compile(r"^" + RESTORE_PREFIX + r"[0-9a-f]+\(\)  " + re.escape(TAG) + r"\n")


def inject(nb):
    """Add the snapshot cell and the restore calls to ``nb`` in place; returns ``nb``."""
    first = next((i for i, c in enumerate(nb.cells) if cells.is_answer(c)), None)
    if first is None:
        return nb
    name = RESTORE_PREFIX + secrets.token_hex(6)  # unknown to the student
    install = f"{kernel_guard.__name__}.{kernel_guard.install.__name__}"
    cell = new_code_cell(f"{TAG}\n{name} = __import__({kernel_guard.__name__!r}, "
                         f"fromlist=['install']).install(globals())  # {install}")
    cell.metadata[GUARD_CELL] = True
    nb.cells.insert(first, cell)
    for c in nb.cells:
        if cells.is_test(c):
            c.source = f"{name}()  {TAG}\n" + c.source
    token = secrets.token_hex(8)
    audit_cell = new_code_cell(f"__import__({kernel_guard.__name__!r}, fromlist=['audit'])"
                               f".audit({token!r})  {TAG}")
    audit_cell.metadata[GUARD_CELL] = True
    audit_cell.metadata[AUDIT_CELL] = token
    nb.cells.append(audit_cell)
    return nb


def audit(nb):
    """After execution: record in ``nb.metadata`` how many test cells ran and how many times the
    real restore ran before them (``None`` when the audit cell did not run, e.g. the kernel
    died); returns the verdict ``{"tests_run", "restores"}``."""
    cell = next((c for c in nb.cells if c.metadata.get(AUDIT_CELL)), None)
    if cell is None:
        return None
    token = cell.metadata[AUDIT_CELL]
    text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
    found = re.search(re.escape(token) + r" (\d+)", text)
    ran = sum(1 for c in nb.cells if cells.is_test(c) and c.get("execution_count") is not None)
    verdict = {"tests_run": ran,
               "restores": int(found.group(1)) if found else None,
               "audit_ran": cell.get("execution_count") is not None}
    nb.metadata[AUDIT_KEY] = verdict
    return verdict


def guard_off(verdict):
    """True when the verdict shows test cells that ran with the guard switched off."""
    if not verdict or not verdict.get("audit_ran"):
        return False
    return verdict["restores"] is None or verdict["restores"] < verdict["tests_run"]


_ANSI = r"(?:\x1b\[[0-9;]*m)*"
# "Cell In[5], line 4" of IPython's tracebacks (coloured or not): the frame of cell In[5]
_FRAME = re.compile(r"(Cell" + _ANSI + r"\s*" + _ANSI + r"In\[(\d+)\]" + _ANSI + r", line )(\d+)")
# a numbered source line of a frame: "      4 x = 1" or "----> 4 x = 1", colours anywhere
_NUMBERED = re.compile(r"^(" + _ANSI + r"(?:-*>)?\s*" + _ANSI + r"\s*)(\d+)")


def _shift_frame(entry, counts):
    """One traceback entry with the frames of the cells run as ``In[k]``, k in ``counts``
    (test cells, whose first line was the injected restore call), renumbered as released:
    the injected line dropped, every line number one less."""
    match = _FRAME.search(entry)
    if match is None or int(match.group(2)) not in counts:
        return entry
    entry = _FRAME.sub(lambda m: m.group(1) + str(max(1, int(m.group(3)) - 1)), entry, count=1)
    lines = []
    for line in entry.split("\n"):
        if RESTORE_PREFIX in line:
            continue
        number = _NUMBERED.match(line)
        if number and lines:  # not the heading line of the frame
            digits = number.group(2)
            line = (number.group(1) + str(max(1, int(digits) - 1)).rjust(len(digits))
                    + line[number.end():])
        lines.append(line)
    return "\n".join(lines)


def remove(nb):
    """Take out what :func:`inject` added, in place; returns ``nb``."""
    nb.cells = [c for c in nb.cells if not c.metadata.get(GUARD_CELL)]
    counts = {c.get("execution_count") for c in nb.cells
              if cells.is_test(c) and _RESTORE_CALL.match(c.source)}
    for c in nb.cells:
        if cells.is_test(c):
            c.source = _RESTORE_CALL.sub("", c.source, count=1)
        for output in c.get("outputs", []):
            if output.get("output_type") == "error":
                output["traceback"] = [_shift_frame(entry, counts)
                                       for entry in output.get("traceback", [])]
    return nb
