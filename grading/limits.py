"""The limits of grading, each defined once: per cell, per submission, per nbgrader run.

``nbgrader_config.py`` (plain ``nbgrader autograde`` and ``nbgrader validate``),
``python -m grading grade-class`` (its ``--help`` shows these defaults) and the class grader
all read them from :class:`Limits`. Times are in seconds, sizes in bytes.
"""
import os
from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class Limits:
    """What one submission may use while it is graded.

    Attributes
    ----------
    cell_timeout : int
        Seconds one cell may run before it is stopped.
    kernel_start_timeout : int
        Seconds a kernel may take to answer after it starts; a kernel still silent then is
        started again (:mod:`grading.kernel_start`).
    iopub_timeout : int
        Seconds to wait for a finished cell's last outputs (nbclient's own default of 4 s is
        too short on a busy machine: the student would lose the notebook).
    submission_timeout : int
        Wall seconds for one submission, all of its notebooks together.
    memory_bytes : int
        Address space of the nbgrader process and of each kernel, each.
    batch_size : int
        At most this many submissions per ``nbgrader autograde`` run.
    fork_kernels : bool
        Kernels forked from a warm process (:mod:`grading.forkserver`) instead of started.
    sandbox : bool
        Every kernel in its own OS sandbox (:mod:`grading.sandbox`; its kernels are always
        forked). False only for ``grade-class --no-sandbox``.
    startup_seconds : int
        Wall seconds an ``nbgrader autograde`` run may take on top of its submissions' own
        time (its start-up, the fork server's, the gradebook).
    probe_seconds : int
        Wall seconds the search for a cell that stops the kernel may take on top of one
        submission's time (:mod:`grading.find_fatal` starts its own kernel).
    """

    cell_timeout: int = 30
    kernel_start_timeout: int = 30
    iopub_timeout: int = 30
    submission_timeout: int = 120
    memory_bytes: int = 4 * 2 ** 30
    batch_size: int = 50
    fork_kernels: bool = True
    sandbox: bool = True
    startup_seconds: int = 30
    probe_seconds: int = 60

    def run_timeout(self, submissions):
        """Wall seconds for one ``nbgrader autograde`` run over ``submissions`` submissions."""
        return self.startup_seconds + self.submission_timeout * submissions

    def probe_timeout(self):
        """Wall seconds for one search for the cell that stops the kernel."""
        return self.probe_seconds + self.submission_timeout


def default_jobs():
    """Parallel nbgrader runs: one more than there are cores, since a worker spends part of
    its time waiting for its kernel's messages and for the disk (measurements: README,
    "Performance")."""
    return (os.cpu_count() or 1) + 1
