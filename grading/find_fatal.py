"""Find the cell that stops or hangs a kernel: ``python -m grading.find_fatal NOTEBOOK``.

The class grader runs this, under the submission's limits, on a submission that nbgrader
could not grade even alone. It executes the notebook cell by cell, with the grading guard in
place as in grading, in its own kernel, and prints one line for the first cell that killed the
kernel or ran past ``--timeout`` without answering an interrupt::

    FATAL <index of the cell in the notebook as given> <error class>

and nothing when every cell finished. :func:`parse` reads that line back.
"""
import argparse

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from grading import cells, guard

PREFIX = "FATAL"
FATAL_ERRORS = (CellTimeoutError, DeadKernelError, RuntimeError)


def find_fatal_cell(nb, timeout):
    """Run ``nb`` (a copy of it) cell by cell; return ``(index, error name)`` of the first
    cell that stops the kernel, or None. ``index`` counts the cells of ``nb`` as given."""
    nb = cells.copy(nb)
    origin = {id(cell): k for k, cell in enumerate(nb.cells)}  # inject() adds one cell
    guard.inject(nb)
    client = NotebookClient(nb, timeout=timeout, allow_errors=True, interrupt_on_timeout=False,
                            kernel_name="python3")
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
    args = parser.parse_args(argv)
    found = find_fatal_cell(nbformat.read(args.notebook, as_version=4), args.timeout)
    if found is not None:
        print(PREFIX, *found, flush=True)


if __name__ == "__main__":
    main()
