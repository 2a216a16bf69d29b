"""Fixtures for the browser tests: a real JupyterLab server driven by headless Chromium.

Nothing here downloads anything. The browser is Debian's ``/usr/bin/chromium`` (launched by
Playwright through ``executable_path``), every request that leaves 127.0.0.1 is blocked, and
JupyterLab runs from this project's environment with its own throw-away settings folders.

Run them with ``python -m pytest tests/browser -m browser``. Without Chromium or
Playwright they are skipped, except under ``CI=true``, where a missing browser is a failure.
"""
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import nbformat
import pytest

from grading import cells
from grading.course import REPO, Course, repository

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync"]
OUTPUT = Path(__file__).resolve().parent / "output"
SCREENSHOTS = REPO / "docs" / "screenshots"
VIEWPORT = {"width": 1366, "height": 850}
SERVER_START_TIMEOUT = 90.0  # seconds until JupyterLab must answer /api/status

# The assignment and lecture notebook the tests use as concrete examples; any other existing
# assignment or notebook stands in when these are absent.
EXAMPLE_ASSIGNMENT = "04_layer_classes"
EXAMPLE_NOTEBOOK = "04_layer_classes.ipynb"
# The simulated students of the graded scratch course: the instructor solution filled into
# the release, and the untouched release.
STUDENTS = ("solution", "blank")

# JupyterLab user settings: no news, no update checks (both would reach the internet).
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings":
        '{"fetchNews": "false", "checkForUpdates": false}',
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "browser: drives JupyterLab in headless Chromium (needs /usr/bin/chromium "
                   "and the playwright package)")


# ---------------------------------------------------------------------------------------------
# What exists in the repository


@pytest.fixture(scope="session")
def assignment():
    """``04_layer_classes`` if it exists in ``source/``, otherwise the first assignment."""
    names = repository().assignments()
    if not names:
        pytest.skip("source/ holds no assignment yet")
    return EXAMPLE_ASSIGNMENT if EXAMPLE_ASSIGNMENT in names else names[0]


@pytest.fixture(scope="session")
def lecture_notebook():
    """``04_layer_classes.ipynb`` if in ``notebooks/``, otherwise the first lecture notebook."""
    folder = REPO / "notebooks"
    if (folder / EXAMPLE_NOTEBOOK).exists():
        return EXAMPLE_NOTEBOOK
    found = sorted(p.name for p in folder.glob("*.ipynb"))
    if not found:
        pytest.skip("notebooks/ holds no lecture notebook yet")
    return found[0]


# ---------------------------------------------------------------------------------------------
# Requirements: Chromium and Playwright


def missing_requirement():
    """A sentence saying what is missing for the browser tests, or None when all is there."""
    if not CHROMIUM.exists():
        return (f"{CHROMIUM} not found: install Debian's browser with "
                "`apt-get install -y chromium` to run the browser tests")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return ("the Python package `playwright` is not installed: "
                "`.venv/bin/pip install playwright` (do not run `playwright install`)")
    return None


def pytest_generate_tests(metafunc):
    """A test with a ``student`` argument runs once per simulated student."""
    if "student" in metafunc.fixturenames:
        metafunc.parametrize("student", STUDENTS)


@pytest.fixture(scope="session")
def students():
    """Names of the simulated students of ``graded_course``."""
    return STUDENTS


def pytest_collection_modifyitems(config, items):
    """Without Chromium or Playwright, skip every browser test at once (not under CI=true)."""
    reason = missing_requirement()
    if reason is None or os.environ.get("CI") == "true":
        return
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope="session")
def browser_requirements():
    """Fail (CI=true) or skip when the browser or Playwright is missing."""
    reason = missing_requirement()
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}. CI=true: the browser tests must run, not be skipped.",
                        pytrace=False)
        pytest.skip(reason)


@pytest.fixture(scope="session")
def browser(browser_requirements):
    """Headless Debian Chromium, shared by all tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                      args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


def _is_local(url):
    return url.startswith(("http://127.0.0.1:", "file://", "data:", "blob:", "about:"))


@pytest.fixture
def page(browser, request):
    """A fresh browser tab; requests to anywhere but 127.0.0.1 and local files are aborted.

    The aborted addresses are kept in ``page.blocked_requests``; on failure the test's
    screenshot is saved as ``tests/browser/output/<test>-failed.png``.
    """
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1)
    blocked = []

    def only_local(route):
        if _is_local(route.request.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    tab.blocked_requests = blocked
    yield tab
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        try:
            tab.screenshot(path=str(OUTPUT / f"{request.node.name}-failed.png"), full_page=False)
        except Exception:  # a crashed page must not hide the real failure
            pass
    context.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def screenshot():
    """``screenshot(tab, name, full_page=False)`` saves ``tests/browser/output/<name>.png``.

    With ``DL2_UPDATE_SCREENSHOTS=1``, ``screenshot(tab, name, readme=True)`` also rewrites
    ``docs/screenshots/<name>.png`` for the README (each must stay under 300 KB).
    """
    def save(tab, name, full_page=False, readme=False):
        OUTPUT.mkdir(parents=True, exist_ok=True)
        (OUTPUT / ".gitignore").write_text("# screenshots of the last browser test run\n*\n")
        path = OUTPUT / f"{name}.png"
        tab.screenshot(path=str(path), full_page=full_page)
        if readme and os.environ.get("DL2_UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, SCREENSHOTS / path.name)
            size = path.stat().st_size
            assert size < 300_000, f"{path.name} is {size} bytes; README pictures stay < 300 KB"
        return path
    return save


# ---------------------------------------------------------------------------------------------
# JupyterLab servers


class JupyterLab:
    """A running ``jupyter lab`` process: its folder, address and token."""

    def __init__(self, root, port, token, process, log_path):
        self.root, self.port, self.token = Path(root), port, token
        self.process, self.log_path = process, log_path
        self.base = f"http://127.0.0.1:{port}"

    def url(self, path=""):
        """Address of ``path`` on this server with the login token attached."""
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def log_tail(self, lines=30):
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(home):
    """The project's environment for the server, with private Jupyter settings folders."""
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    env["OPENBLAS_NUM_THREADS"] = "1"
    # tests/conftest.py sets MPLBACKEND=Agg; in the browser the kernel must draw inline plots.
    env.pop("MPLBACKEND", None)
    env.pop("NBGRADER_EXECUTION", None)
    for var, sub in [("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTERLAB_SETTINGS_DIR", "lab-settings"),
                     ("JUPYTERLAB_WORKSPACES_DIR", "lab-workspaces"), ("IPYTHONDIR", "ipython")]:
        env[var] = str(home / sub)
        (home / sub).mkdir(parents=True, exist_ok=True)
    for rel, text in LAB_SETTINGS.items():
        path = home / "lab-settings" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return env


def start_jupyter_lab(root, home):
    """Start JupyterLab in ``root`` (also its working folder, where nbgrader finds its config).

    ``home`` receives the settings folders and the server log. Returns once ``/api/status``
    answers; raises ``RuntimeError`` with the end of the log when it does not.
    """
    port, token = free_port(), secrets.token_hex(16)
    log_path = Path(home) / "jupyter.log"
    cmd = [sys.executable, "-m", "jupyter", "lab", "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
           "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           "--LabApp.news_url=None", "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:  # containers and CI often run as root
        cmd.append("--allow-root")
    with open(log_path, "w") as log:
        process = subprocess.Popen(cmd, cwd=root, env=_server_env(Path(home)), stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = JupyterLab(root, port, token, process, log_path)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with code {process.returncode}:\n"
                               f"{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url("api/status"), timeout=2) as reply:
                if reply.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            stop_jupyter_lab(server)
            raise RuntimeError(f"jupyter lab did not answer within {SERVER_START_TIMEOUT:.0f} s:"
                               f"\n{server.log_tail()}")
        time.sleep(0.25)


def stop_jupyter_lab(server, grace=15.0):
    """Terminate the server (it shuts its kernels down); kill its process group if it hangs."""
    process = server.process
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    # Kernels live in the server's own process group (start_new_session): kill what is left.
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    process.wait(timeout=grace)


# Appended to the scratch copies of nbgrader_config.py: nbgrader's default exchange folder
# (/usr/local/share/nbgrader/exchange) is outside the test's folders and usually missing.
PRIVATE_EXCHANGE = (
    "\n# browser tests: a private exchange folder beside this file\n"
    "c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'exchange')\n")


def _use_private_exchange(folder):
    config = Path(folder) / "nbgrader_config.py"
    config.write_text(config.read_text() + PRIVATE_EXCHANGE)
    (Path(folder) / "exchange").mkdir(exist_ok=True)
    (Path(folder) / "fetched").mkdir(exist_ok=True)  # the config's Exchange.assignment_dir


def _copy_tree(src, dest):
    shutil.copytree(src, dest, ignore=shutil.ignore_patterns(
        ".ipynb_checkpoints", "__pycache__"), dirs_exist_ok=True)


@pytest.fixture(scope="session")
def student_lab(browser_requirements, tmp_path_factory):
    """JupyterLab in a copy of ``notebooks/`` and ``release/`` (plus ``nbgrader_config.py``).

    ``solved/<assignment>/`` holds the released notebooks with the instructor solution filled
    into every answer cell (``Course.solved_notebooks`` of the repository).
    """
    root = tmp_path_factory.mktemp("student")
    for folder in ("notebooks", "release"):
        if (REPO / folder).is_dir():
            _copy_tree(REPO / folder, root / folder)
    shutil.copy2(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
    _use_private_exchange(root)
    for assignment in repository().assignments():
        (root / "solved" / assignment).mkdir(parents=True)
        for name, nb in repository().solved_notebooks(assignment).items():
            nbformat.write(nb, str(root / "solved" / assignment / name))
    server = start_jupyter_lab(root, tmp_path_factory.mktemp("student-home"))
    yield server
    stop_jupyter_lab(server)


@pytest.fixture(scope="session")
def graded_course(browser_requirements, assignment, tmp_path_factory):
    """A scratch course folder: every assignment's source; the example assignment released,
    handed in by two simulated students (see ``STUDENTS``), autograded, with feedback."""
    course = Course.create(tmp_path_factory.mktemp("course"), repository().assignments())
    _use_private_exchange(course.root)
    release = course.generate_release(assignment)
    blank = {name: cells.read(release / name)
             for name in repository().notebook_names(assignment)}
    course.submit("solution", assignment, course.solved_notebooks(assignment))
    course.submit("blank", assignment, blank)
    course.autograde(assignment)
    course.generate_feedback(assignment)
    return course.root


@pytest.fixture(scope="session")
def instructor_lab(browser_requirements, graded_course, tmp_path_factory):
    """JupyterLab (with formgrader) running in the graded scratch course."""
    server = start_jupyter_lab(graded_course, tmp_path_factory.mktemp("instructor-home"))
    yield server
    stop_jupyter_lab(server)
