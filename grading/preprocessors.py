"""The course's nbgrader preprocessors, configured by typed traits (``nbgrader_config.py``).

* :class:`GuardedExecute`: nbgrader's ``Execute`` with the grading guard around the run
  (:mod:`grading.guard`), and optionally kernels forked from a warm process
  (``fork_kernels``, :mod:`grading.forkkernel`);
* :class:`ScratchGradebook`: when enabled, the gradebooks this nbgrader process opens commit
  without waiting for the disk (only for the sandbox copies of class grading);
* :class:`SanitizeFeedback`: feedback shows neither hidden tests nor tracebacks;
* :class:`FeedbackGrades`: nbgrader's ``GetGrades`` that also gives each graded cell its extra
  credit, which the feedback page explains (:mod:`grading.feedback`).

Every switch is a trait: set it in the config file (``c.GuardedExecute.fork_kernels = True``)
or on the command line (``--GuardedExecute.fork_kernels=True``), as
:class:`grading.course.RunOptions` does.
"""
import re

import nbformat
from nbgrader.preprocessors import Execute, GetGrades, NbGraderPreprocessor
from traitlets import Bool, Unicode

from grading import cells, guard
from grading.forkkernel import ForkKernelManager, SandboxKernelManager
from grading.nbgrader_patches import scratch_gradebooks_without_fsync


class GuardedExecute(Execute):
    """Run the notebook with the grading guard in place; the graded notebook is saved
    without it (its cells exactly as released)."""

    fork_kernels = Bool(False, help="Start each notebook's kernel as a fork of a warm process "
                                    "that has imported the kernel and the course's libraries "
                                    "(class grading).").tag(config=True)

    sandbox = Bool(True, help="Run each notebook's kernel in its own OS sandbox "
                              "(grading/sandbox.py; kernels are then always forked). False only "
                              "with `grade-class --no-sandbox`, and the report and feedback then "
                              "say so.").tag(config=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.sandbox:
            self.kernel_manager_class = SandboxKernelManager
        elif self.fork_kernels:
            self.kernel_manager_class = ForkKernelManager

    def preprocess(self, nb, resources=None, km=None):
        guard.inject(nb)
        nb, resources = super().preprocess(nb, resources, km=km)
        guard.audit(nb)
        guard.remove(nb)
        return nb, resources


class ScratchGradebook(NbGraderPreprocessor):
    """Placed first among the autograde preprocessors: from then on this nbgrader process
    commits to SQLite without ``fsync``. Only for a gradebook that is a scratch copy, rebuilt
    from its template on every run (the course gradebook is never opened this way)."""

    enabled = Bool(False, help="The gradebook of this run is a scratch copy: commit without "
                               "waiting for the disk.").tag(config=True)

    def preprocess(self, nb, resources):
        scratch_gradebooks_without_fsync()
        return nb, resources


ANSI = re.compile(r"\x1b\[[0-9;]*m")


class SanitizeFeedback(NbGraderPreprocessor):
    """Feedback: no hidden-test source, and one-line errors (no traceback) in test cells."""

    notice = Unicode("", help="A line put at the top of every feedback page (e.g. that the "
                              "notebooks were graded without the sandbox).").tag(config=True)

    def preprocess(self, nb, resources):
        if self.notice:
            nb.cells.insert(0, nbformat.v4.new_markdown_cell(f"**Note:** {self.notice}"))
        for cell in nb.cells:
            if not cells.is_test(cell):
                continue
            cell.source = cells.strip_hidden_tests(cell.source)
            for output in cell.get("outputs", []):
                if output.get("output_type") == "error":
                    message = ANSI.sub("", f"{output.get('ename', 'Error')}: "
                                           f"{output.get('evalue', '')}").strip()
                    output["traceback"] = [message]
        return nb, resources


class FeedbackGrades(GetGrades):
    """nbgrader's ``GetGrades`` (each graded cell's score and points into its metadata), plus
    ``extra_credit``: the points an instructor added in formgrader beyond the cell's worth,
    included in its score (0 when none), so the feedback page can say so in words."""

    def _get_score(self, cell, resources):
        super()._get_score(cell, resources)
        grade = self.gradebook.find_grade(cells.grade_id(cell), self.notebook_id,
                                          self.assignment_id, self.student_id)
        cell.metadata.nbgrader["extra_credit"] = float(grade.extra_credit or 0.0)
