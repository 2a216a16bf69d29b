"""Keep answer cells from rewriting the tools the tests use.

An answer cell runs in the same Python process as the tests after it, so it could make a wrong
gradient pass by rebinding what the tests call: ``np.allclose = lambda *a, **k: True``,
``common.gradient_check.check_layer = ...``, ``builtins.abs = ...``, or the notebook's own
``check_layer`` name. During autograding nbgrader runs these preprocessors (configured in
``nbgrader_config.py``):

* :class:`InjectGuard` (before execution) adds a cell in front of the first answer cell that
  snapshots the modules the tests rely on and the notebook's imported names, and starts every
  test cell with a call that puts all of them back. Tests then judge the student's own code with
  the real tools; the student keeps the credit for everything done correctly.
* :class:`RemoveGuard` (after execution) takes those additions out again, so the graded and
  feedback notebooks show the cells as released.
* :class:`SanitizeFeedback` (feedback) removes hidden tests from test-cell sources and reduces
  every error in a test cell to its one-line message, so feedback never reveals hidden tests
  through source or traceback.

This defeats the ordinary ways of patching the tests. A determined attacker with full Python
inside the kernel can defeat any in-process guard; ``grading.preflight`` therefore also flags
submissions whose code touches the grader, ``sys.modules``, ``gc`` or ``ctypes`` for review.
"""
import re
import secrets

from nbgrader.preprocessors import NbGraderPreprocessor as Preprocessor  # enabled by default

GUARD_TAG = "# grader: restore the tools the tests use"


def _is_answer(cell):
    return cell.metadata.get("nbgrader", {}).get("solution", False)


def _is_test(cell):
    return cell.cell_type == "code" and cell.metadata.get("nbgrader", {}).get("grade", False)


class InjectGuard(Preprocessor):
    """Before execution: snapshot cell before the first answer, restore call atop each test."""

    def preprocess(self, nb, resources):
        first = next((i for i, c in enumerate(nb.cells) if _is_answer(c)), None)
        if first is None:
            return nb, resources
        name = f"_grader_restore_{secrets.token_hex(6)}"  # unknown to the student
        from nbformat.v4 import new_code_cell

        cell = new_code_cell(f"{GUARD_TAG}\nimport grading.kernel_guard\n"
                             f"{name} = grading.kernel_guard.install(globals())\ndel grading")
        cell.metadata["grader_guard"] = True
        nb.cells.insert(first, cell)
        for c in nb.cells:
            if _is_test(c):
                c.source = f"{name}()  {GUARD_TAG}\n" + c.source
        return nb, resources


class RemoveGuard(Preprocessor):
    """After execution: drop the snapshot cell and the restore calls again."""

    pattern = re.compile(r"^_grader_restore_[0-9a-f]+\(\)  " + re.escape(GUARD_TAG) + r"\n")

    def preprocess(self, nb, resources):
        nb.cells = [c for c in nb.cells if not c.metadata.get("grader_guard")]
        for c in nb.cells:
            if _is_test(c):
                c.source = self.pattern.sub("", c.source, count=1)
        return nb, resources


HIDDEN_BEGIN = "### BEGIN HIDDEN TESTS"
HIDDEN_END = "### END HIDDEN TESTS"


def strip_hidden(source):
    """Source without the hidden-test regions (markers included)."""
    out, hidden = [], False
    for line in source.splitlines():
        if line.strip() == HIDDEN_BEGIN:
            hidden = True
        elif line.strip() == HIDDEN_END:
            hidden = False
        elif not hidden:
            out.append(line)
    return "\n".join(out)


ANSI = re.compile(r"\x1b\[[0-9;]*m")


class SanitizeFeedback(Preprocessor):
    """Feedback: no hidden-test source, and one-line errors (no traceback) in test cells."""

    def preprocess(self, nb, resources):
        for cell in nb.cells:
            if not _is_test(cell):
                continue
            cell.source = strip_hidden(cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = ANSI.sub("", f"{output.get('ename', 'Error')}: "
                                           f"{output.get('evalue', '')}").strip()
                    output["traceback"] = [message]
        return nb, resources
