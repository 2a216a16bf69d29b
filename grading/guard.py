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
  cells as released.

This defeats the ordinary ways of patching the tests. A determined attacker with full Python
inside the kernel can defeat any in-process guard; ``grading.preflight`` therefore also flags
submissions whose code touches the grader, ``sys.modules``, ``gc`` or ``ctypes`` for review.
"""
import re
import secrets

from nbformat.v4 import new_code_cell

from grading import cells, kernel_guard

TAG = "# grader: restore the tools the tests use"
GUARD_CELL = "grader_guard"  # cell metadata key of the injected cell
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
    return nb


def remove(nb):
    """Take out what :func:`inject` added, in place; returns ``nb``."""
    nb.cells = [c for c in nb.cells if not c.metadata.get(GUARD_CELL)]
    for c in nb.cells:
        if cells.is_test(c):
            c.source = _RESTORE_CALL.sub("", c.source, count=1)
    return nb
