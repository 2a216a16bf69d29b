"""One person in both roles on one machine (what ``make lab`` and ``make lab-instructor`` set up).

``python -m grading.one_machine`` (run by ``make``) installs :data:`CONFIG` as this
virtualenv's own nbgrader config (``<venv>/etc/jupyter/nbgrader_config.py``, which every
nbgrader command and Jupyter server of the virtualenv reads, from any folder). It names the
course and its exchange folder (the repository's ``.exchange``) and puts fetched assignments
in their own folder (``fetched/`` of the repository), so ``nbgrader fetch_assignment``,
``submit`` and ``fetch_feedback`` work from any folder, and the Assignments tab of the student
server does not drop assignments beside ``release/`` and ``source/``. A course folder's own
``nbgrader_config.py`` (read after it, in that folder) still decides there.
"""
import shutil
import sys
from pathlib import Path

CONFIG = Path(__file__).resolve().parent / "one_machine_files" / "nbgrader_config.py"  # installed
FETCHED = "fetched"  # the repository's folder for assignments fetched from the exchange


def target(prefix=None):
    """Where the virtualenv's nbgrader config goes."""
    return Path(prefix or sys.prefix) / "etc" / "jupyter" / "nbgrader_config.py"


def install(prefix=None):
    """Copy :data:`CONFIG` to :func:`target`; returns that path."""
    path = target(prefix)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(CONFIG, path)
    return path


if __name__ == "__main__":
    print(f"nbgrader settings of this virtualenv: {install()}")
