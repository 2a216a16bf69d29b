"""grading/one_machine.py: the virtualenv's own nbgrader config names the repository's course,
exchange and fetched-assignments folder, so the exchange commands work from any folder; the
repository's config puts fetched assignments in their own folder too; `make lab` and
`make lab-instructor` keep separate JupyterLab workspaces."""
import subprocess
import sys

from traitlets.config.loader import PyFileConfigLoader

from grading import one_machine
from grading.course import CONFIG_FILE, REPO, nbgrader_environment


def test_the_installed_config_names_the_repository_s_exchange(tmp_path):
    path = one_machine.install(tmp_path)
    assert path == tmp_path / "etc" / "jupyter" / "nbgrader_config.py"
    assert path.read_bytes() == one_machine.CONFIG.read_bytes()
    config = PyFileConfigLoader(path.name, path=str(path.parent)).load_config()
    assert config.Exchange.root == str(REPO / ".exchange")
    assert config.Exchange.assignment_dir == str(REPO / one_machine.FETCHED)
    assert config.CourseDirectory.course_id == "dl2"
    assert "root" not in config.CourseDirectory, "any folder is not the repository's course"


def test_the_repository_config_fetches_into_its_own_folder():
    config = PyFileConfigLoader(CONFIG_FILE, path=str(REPO)).load_config()
    assert config.Exchange.assignment_dir == str(REPO / one_machine.FETCHED)


def test_exchange_commands_read_it_from_any_folder(tmp_path):
    """nbgrader started in a folder without config, with the installed file on its config
    path, looks for the repository's exchange (nbgrader's default would be
    /usr/local/share/nbgrader/exchange)."""
    prefix = tmp_path / "venv"
    one_machine.install(prefix)
    env = nbgrader_environment()
    env["JUPYTER_CONFIG_PATH"] = str(prefix / "etc" / "jupyter")
    folder = tmp_path / "anywhere"
    folder.mkdir()
    out = subprocess.run([sys.executable, "-m", "nbgrader", "list", "--debug"], cwd=folder,
                         env=env, capture_output=True, text=True, timeout=300)
    text = out.stdout + out.stderr
    assert "/usr/local/share/nbgrader/exchange" not in text
    assert str(REPO / ".exchange") in text


def test_make_installs_it_and_the_two_labs_keep_separate_workspaces():
    dry = {target: subprocess.run(["make", "-n", "-W", "requirements.txt", target], cwd=REPO,
                                  capture_output=True, text=True, check=True).stdout
           for target in ("setup", "lab", "lab-instructor")}
    assert "-m grading.one_machine" in dry["setup"]
    assert "--LabApp.workspaces_dir=.jupyter-workspaces/student" in dry["lab"]
    assert "--LabApp.workspaces_dir=.jupyter-workspaces/instructor" in dry["lab-instructor"]
    assert "--port=8889" in dry["lab-instructor"]
    assert "--ContentsManager.hide_globs='gradebook.db'" in dry["lab"]
