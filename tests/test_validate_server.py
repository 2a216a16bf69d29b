"""grading/validate_server.py: JupyterLab's *Validate* runs off the server's event loop.

A real ``jupyter server`` of this environment (where ``make`` enabled the extension) in a
scratch folder: while one notebook validates (a test cell that runs for several seconds),
a status request and a cell in another notebook's kernel both answer within a second or two.
"""
import asyncio
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest
from jupyter_server.extension.config import ExtensionConfigManager

from grading import validate_server
from grading.course import REPO, nbgrader_environment

pytestmark = pytest.mark.slow

SLOW_SECONDS = 8  # how long the validated notebook's test cell runs
RESPONSIVE = 2.0  # seconds within which the server must answer meanwhile


def test_install_enables_the_course_handler_and_disables_nbgraders(tmp_path):
    written = validate_server.install(prefix=tmp_path)
    assert len(written) == 3 and all(p.exists() for p in written)
    folder = tmp_path / "etc" / "jupyter"
    # nbgrader's own file enables all four of its extensions; the course's files are read after
    (folder / "jupyter_server_config.d" / "nbgrader.json").write_text(json.dumps(
        {"ServerApp": {"jpserver_extensions": {validate_server.NBGRADER_EXTENSION: True}}}))
    extensions = ExtensionConfigManager(read_config_path=[str(folder)]).get_jpserver_extensions()
    assert extensions[validate_server.EXTENSION] is True
    assert extensions[validate_server.NBGRADER_EXTENSION] is False


def test_install_puts_the_submit_plugin_where_jupyterlab_finds_it_replacing_an_older_build(tmp_path):
    target = validate_server.lab_extension_folder(tmp_path)
    (target / "static").mkdir(parents=True)
    (target / "static" / "remoteEntry.old.js").write_text("// an older build")
    validate_server.install(prefix=tmp_path)
    built = sorted(p.relative_to(validate_server.LAB_EXTENSION)
                   for p in validate_server.LAB_EXTENSION.rglob("*"))
    assert sorted(p.relative_to(target) for p in target.rglob("*")) == built
    # what JupyterLab reads to load a prebuilt plugin: its name and the entry file it built
    manifest = json.loads((target / "package.json").read_text())
    assert manifest["name"] == "dl2-submit-check"
    assert (target / manifest["jupyterlab"]["_build"]["load"]).is_file()


def test_this_environment_has_it_installed():
    folder = Path(sys.prefix) / "etc" / "jupyter"
    extensions = ExtensionConfigManager(read_config_path=[str(folder)]).get_jpserver_extensions()
    assert extensions.get(validate_server.EXTENSION) is True, "run `make` (or python -m " \
        "grading.validate_server) to enable the course's Validate handler"
    assert extensions.get(validate_server.NBGRADER_EXTENSION) is False
    assert (validate_server.lab_extension_folder() / "package.json").is_file(), (
        "run `make` (or python -m grading.validate_server) to install the Submit plugin")


def _slow_notebook():
    nb = nbformat.v4.new_notebook()
    test = nbformat.v4.new_code_cell(f"import time\ntime.sleep({SLOW_SECONDS})\nassert 1 + 1 == 2")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "slow_test", "locked": True,
                                 "points": 1, "schema_version": 3, "solution": False,
                                 "task": False}
    nb.cells = [test]
    return nb


class Server:
    """A Jupyter server of the environment of ``python`` serving ``root``, with its own
    config, runtime and IPython folders under ``home``: ``python -m`` ``app`` (``jupyter
    server``, or ``jupyterlab`` for what ``jupyter lab`` starts); ``env`` replaces the
    environment of this test process (nbgrader's, by default)."""

    def __init__(self, root, home, *, python=sys.executable, app=("jupyter", "server"), env=None):
        self.port, self.token = _free_port(), secrets.token_hex(8)
        env = {**(nbgrader_environment() if env is None else env),
               "JUPYTER_CONFIG_DIR": str(home / "config"),
               "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipy")}
        env.pop("NBGRADER_EXECUTION", None)
        self.log = open(home / "server.log", "w")
        cmd = [str(python), "-m", *app, "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
               "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}",
               f"--ServerApp.root_dir={root}"]
        if os.geteuid() == 0:
            cmd.append("--allow-root")
        self.process = subprocess.Popen(cmd, cwd=root, env=env, stdout=self.log,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                self.request("api/status", timeout=2)
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError((home / "server.log").read_text()[-3000:])
                time.sleep(0.3)

    def request(self, path, data=None, timeout=120):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}/{path}", data=data,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=timeout) as reply:
            return json.loads(reply.read() or b"null")

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.log.close()


def _free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _run_cell(server, kernel_id, code):
    """Execute ``code`` in a kernel of the server through its websocket; seconds it took."""
    from tornado.websocket import websocket_connect

    url = (f"ws://127.0.0.1:{server.port}/api/kernels/{kernel_id}/channels"
           f"?token={server.token}")
    ws = await websocket_connect(url)
    msg_id = uuid.uuid4().hex
    start = time.perf_counter()
    ws.write_message(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "username": "test",
                   "session": uuid.uuid4().hex, "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell",
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    while True:
        reply = json.loads(await ws.read_message())
        if (reply.get("msg_type") == "execute_reply"
                and reply["parent_header"].get("msg_id") == msg_id):
            ws.close()
            assert reply["content"]["status"] == "ok", reply["content"]
            return time.perf_counter() - start


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root, home = tmp_path_factory.mktemp("lab"), tmp_path_factory.mktemp("home")
    (root / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    nbformat.write(_slow_notebook(), str(root / "slow.ipynb"))
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]),
                   str(root / "other.ipynb"))
    srv = Server(root, home)
    yield srv
    srv.stop()


def test_the_server_answers_while_a_notebook_validates(server):
    kernel = server.request("api/kernels", data=json.dumps({"name": "python3"}).encode())
    asyncio.run(_run_cell(server, kernel["id"], "x = 1"))  # the kernel is up and answering
    result = {}

    def validate():
        start = time.perf_counter()
        result["document"] = server.request("assignments/validate",
                                            data=json.dumps({"path": "slow.ipynb"}).encode())
        result["seconds"] = time.perf_counter() - start

    thread = threading.Thread(target=validate)
    thread.start()
    time.sleep(3)  # the validation's kernel is now running the slow test cell
    assert thread.is_alive(), "validate finished too early for this test to mean anything"
    start = time.perf_counter()
    server.request("api/status", timeout=10)
    status_seconds = time.perf_counter() - start
    cell_seconds = asyncio.run(_run_cell(server, kernel["id"], "y = x + 1"))
    still_validating = thread.is_alive()
    thread.join(120)
    assert still_validating, "validate ended before the other requests were answered"
    assert status_seconds < RESPONSIVE, f"status took {status_seconds:.1f} s during Validate"
    assert cell_seconds < RESPONSIVE, f"a cell took {cell_seconds:.1f} s during Validate"
    assert result["seconds"] >= SLOW_SECONDS
    assert result["document"] == {"success": True, "value": {}}, result["document"]


def test_outside_the_root_folder_is_refused(server):
    with pytest.raises(urllib.error.HTTPError) as err:
        server.request("assignments/validate",
                       data=json.dumps({"path": "../../etc/passwd"}).encode())
    assert err.value.code == 403


def test_the_version_check_of_the_toolbar_button_still_answers(server):
    from nbgrader import __version__

    assert server.request(f"nbgrader_version?version={__version__}") == {"success": True}
