"""grading/find_fatal.py: the cell that stops or hangs the kernel is found, as a module run."""
import subprocess
import sys

import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grading import cells, find_fatal
from grading.course import nbgrader_environment

pytestmark = pytest.mark.xdist_group("forkserver")  # starts kernels: keep with the others


def _notebook(*sources):
    nb = new_notebook(cells=[new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells[1].metadata["nbgrader"] = {"solution": True, "grade_id": "answer", "grade": False,
                                        "locked": False, "schema_version": 3, "task": False}
    return nb


@pytest.mark.parametrize("fatal,error", [
    ("import os\nos._exit(0)", "DeadKernelError"),
    ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
     "CellTimeoutError"),
])
def test_the_first_cell_that_stops_the_kernel_is_named(fatal, error, tmp_path):
    nb = _notebook("x = 1", "y = 2", fatal, "z = 3")
    assert find_fatal.find_fatal_cell(nb, timeout=3, folder=tmp_path) == (2, error)
    assert nb.cells[0].source == "x = 1" and len(nb.cells) == 4, "the notebook is not changed"


def test_a_notebook_that_runs_through_has_no_fatal_cell(tmp_path):
    nb = _notebook("x = 1", "raise ValueError('an ordinary error')", "z = 3")
    assert find_fatal.find_fatal_cell(nb, timeout=10, folder=tmp_path) is None


@pytest.mark.parametrize("sandboxed", [True, False])
def test_the_probe_kernel_works_in_the_notebooks_folder_and_only_sandboxed_sees_nothing_else(
        tmp_path, sandboxed):
    folder, secret = tmp_path / "probe", tmp_path / "gradebook.db"
    folder.mkdir()
    (folder / "data.txt").write_text("mine")
    secret.write_text("not for students")
    # the kernel dies only if it can read its own folder and NOT the file beside it
    probe = (f"import os\nif open('data.txt').read() == 'mine' and not os.path.exists({str(secret)!r}):"
             "\n    os._exit(0)")
    found = find_fatal.find_fatal_cell(_notebook("x = 1", probe), timeout=10, folder=folder,
                                       sandboxed=sandboxed)
    assert found == ((1, "DeadKernelError") if sandboxed else None)


def test_run_as_a_module_and_parsed(tmp_path):
    path = cells.write(_notebook("x = 1", "import os\nos._exit(1)"), tmp_path / "nb.ipynb")
    out = subprocess.run([sys.executable, "-m", find_fatal.__name__, str(path), "--timeout=5"],
                         env=nbgrader_environment(), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert find_fatal.parse(out.stdout) == (1, "DeadKernelError")
    assert find_fatal.parse("noise\nFATAL x y\n") is None
