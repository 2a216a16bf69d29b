"""Find the cell that stops or hangs a kernel: ``python -m grading.find_fatal NOTEBOOK``.

The class grader runs this, under the submission's limits, on a submission that nbgrader
could not grade even alone. It executes the notebook cell by cell, with the grading guard in
place as in grading, in its own kernel — in the OS sandbox, as in grading, unless
``--no-sandbox`` — whose working folder is the notebook's folder, and prints one line for the
first cell that killed the kernel or ran past ``--timeout`` without answering an interrupt::

    FATAL <index of the cell in the notebook as given> <error class>

and nothing when every cell finished. :func:`parse` reads that line back.
"""
import argparse
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from grading import cells, guard
from grading.forkkernel import SandboxKernelManager

PREFIX = "FATAL"
FATAL_ERRORS = (CellTimeoutError, DeadKernelError, RuntimeError)


def find_fatal_cell(nb, timeout, *, folder, sandboxed=True):
    """Run ``nb`` (a copy of it) cell by cell in a kernel working in ``folder``; return
    ``(index, error name)`` of the first cell that stops the kernel, or None. ``index``
    counts the cells of ``nb`` as given."""
    nb = cells.copy(nb)
    origin = {id(cell): k for k, cell in enumerate(nb.cells)}  # inject() adds cells
    guard.inject(nb)
    manager = {"kernel_manager_class": SandboxKernelManager} if sandboxed else {}
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=False,
                            kernel_name="python3", resources={"metadata": {"path": str(folder)}},
                            **manager)
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            try:
                client.execute_cell(cell, i)
            except FATAL_ERRORS as err:
                return origin.get(id(cell), -1), type(err).__name__
    return None


def parse(output):
    """``(index, error name)`` from the first FATAL line of this program's output, or None."""
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == PREFIX and parts[1].lstrip("-").isdigit():
            return int(parts[1]), parts[2]
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading.find_fatal", description=__doc__)
    parser.add_argument("notebook", help="the notebook to run")
    parser.add_argument("--timeout", type=int, required=True, help="seconds per cell")
    parser.add_argument("--sandbox", action=argparse.BooleanOptionalAction, default=True,
                        help="run the kernel in the OS sandbox (default: yes)")
    args = parser.parse_args(argv)
    found = find_fatal_cell(nbformat.read(args.notebook, as_version=4), args.timeout,
                            folder=Path(args.notebook).resolve().parent, sandboxed=args.sandbox)
    if found is not None:
        print(PREFIX, *found, flush=True)


if __name__ == "__main__":
    main()
