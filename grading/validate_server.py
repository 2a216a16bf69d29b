"""The course's *Validate* for JupyterLab: a Jupyter server extension that replaces nbgrader's.

nbgrader's server extension (``nbgrader.server_extensions.validate_assignment``) runs the whole
validation synchronously inside its request handler, on the server's event loop: while one
notebook validates, the server answers nothing else (no other notebook's cell, no file save,
no status request; measured: README, "Performance"), and an endless loop in an answer keeps it
so for minutes. Here the same two URLs (``/assignments/validate`` and ``/nbgrader_version``,
which nbgrader's JupyterLab toolbar button calls) are served by handlers that start
``python -m grading.validate_run`` as a child process and ``await`` it: the event loop stays
free, the notebook's environment stays out of the server, and a cell that runs longer than
:attr:`ValidateService.cell_timeout` is stopped and named in plain words.

Enabled per environment by ``python -m grading.validate_server`` (``make`` runs it when it
sets up ``.venv``; :func:`install`): it writes two files into the environment's
``etc/jupyter/jupyter_server_config.d/``, one that enables this extension and the one
``jupyter server extension disable --sys-prefix
nbgrader.server_extensions.validate_assignment`` writes (read after nbgrader's own file, so
nbgrader's *Validate* handler is not loaded). nbgrader's other server extensions (formgrader,
assignment list, courses) stay as they are.

The same command installs the course's JupyterLab plugin ``dl2-submit-check`` (prebuilt, from
``grading/labextensions/``; its source and build are in ``extensions/submit-check/``): *Submit*
in the Assignments tab first runs this *Validate* on every notebook of the assignment, asks
("Submit …?", or "… does not pass Validate" with each failing notebook's first line and
*Submit anyway*), and afterwards confirms the submission's time.

Configured, like any Jupyter server setting, with typed traits (``jupyter_server_config.py``
or the command line): ``c.ValidateService.cell_timeout = 30``.
"""
import argparse
import asyncio
import json
import os
import shutil
import signal
import sys
from pathlib import Path

from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join
from nbgrader.server_extensions.validate_assignment.handlers import NbGraderVersionHandler
from tornado import web
from traitlets import Integer
from traitlets.config import LoggingConfigurable

from grading import validate_run
from grading.limits import Limits

EXTENSION = "grading.validate_server"  # also when run as __main__
NBGRADER_EXTENSION = "nbgrader.server_extensions.validate_assignment"


class ValidateService(LoggingConfigurable):
    """Runs one *Validate* per request in a child process, never on the event loop."""

    cell_timeout = Integer(
        Limits.cell_timeout, min=1,
        help="Seconds one cell of a student's notebook may run during Validate; a cell still "
             "running then is stopped, and the report says which cell it was.").tag(config=True)

    notebook_timeout = Integer(
        600, min=1,
        help="Wall seconds one Validate may take in all (kernel start, every cell, the "
             "report); past it the child process and its kernel are stopped.").tag(config=True)

    def command(self, path):
        """The child process's command line for the notebook at ``path``."""
        return [sys.executable, "-m", validate_run.__name__, "--json",
                "--cell-timeout", str(self.cell_timeout), str(path)]

    async def validate(self, path, *, cwd):
        """The *Validate* dialog's document for the notebook at ``path`` (an absolute path),
        with ``nbgrader_config.py`` looked for in ``cwd``."""
        process = await asyncio.create_subprocess_exec(
            *self.command(path), cwd=cwd, stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
            start_new_session=True)  # its own process group: the kernel goes with it
        try:
            out, err = await asyncio.wait_for(process.communicate(), self.notebook_timeout)
        except asyncio.TimeoutError:
            _stop(process)
            await process.wait()
            return {"success": False, "value": (
                f"Validate took longer than {self.notebook_timeout} s in all and was stopped. "
                "Run the notebook's cells one by one to find the slow one.")}
        except asyncio.CancelledError:
            _stop(process)
            raise
        finally:
            _stop(process)  # left-over kernels of a finished run
        text = out.decode(errors="replace").strip().splitlines()
        try:
            return json.loads(text[-1])
        except (IndexError, ValueError):
            self.log.error("Validate of %s failed:\n%s", path, err.decode(errors="replace"))
            return {"success": False, "value": "Validate stopped unexpectedly:\n"
                                               + err.decode(errors="replace")[-3000:]}


def _stop(process):
    """Kill the child's process group (the validator and the kernel it started)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


class ValidateHandler(JupyterHandler):
    """``POST /assignments/validate`` with ``path`` (relative to the server's root folder)."""

    def initialize(self, service):
        self.service = service

    @web.authenticated
    async def post(self):
        try:
            relative = self.get_argument("path")
        except web.MissingArgumentError:
            relative = (self.get_json_body() or {}).get("path")
        if not relative:
            raise web.HTTPError(400, "missing notebook path")
        root = os.path.realpath(self.settings["server_root_dir"])
        target = os.path.realpath(os.path.join(root, relative))
        if os.path.commonpath([root, target]) != root:
            raise web.HTTPError(403, "Access denied: path outside allowed directory")
        document = await self.service.validate(target, cwd=os.getcwd())
        self.finish(json.dumps(document))


def _jupyter_server_extension_points():
    return [{"module": EXTENSION}]


def _load_jupyter_server_extension(serverapp):
    """Serve *Validate* from :class:`ValidateHandler` (and nbgrader's version check)."""
    service = ValidateService(parent=serverapp)
    web_app = serverapp.web_app
    base_url = web_app.settings["base_url"]
    web_app.add_handlers(".*$", [
        (url_path_join(base_url, "/assignments/validate"), ValidateHandler,
         {"service": service}),
        (url_path_join(base_url, "/nbgrader_version"), NbGraderVersionHandler),
    ])
    serverapp.log.info("Validate runs off the event loop (%s), %d s per cell", EXTENSION,
                       service.cell_timeout)


def config_files(prefix=sys.prefix):
    """``{path: document}`` of the Jupyter server config files :func:`install` writes under
    the environment ``prefix``."""
    folder = Path(prefix) / "etc" / "jupyter" / "jupyter_server_config.d"
    return {folder / f"{name}.json": {"ServerApp": {"jpserver_extensions": {name: enabled}}}
            for name, enabled in ((EXTENSION, True), (NBGRADER_EXTENSION, False))}


# The prebuilt JupyterLab plugin that checks before Submit (built from extensions/submit-check/)
LAB_EXTENSION = Path(__file__).resolve().parent / "labextensions" / "dl2-submit-check"


def lab_extension_folder(prefix=sys.prefix):
    """Where JupyterLab of the environment ``prefix`` finds the Submit plugin."""
    return Path(prefix) / "share" / "jupyter" / "labextensions" / LAB_EXTENSION.name


def install(*, prefix=sys.prefix):
    """Enable this extension and disable nbgrader's *Validate* extension for every Jupyter
    server of the environment ``prefix``, and install the Submit plugin for its JupyterLab;
    returns the paths written."""
    written = []
    for path, document in config_files(prefix).items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(document, indent=2) + "\n")
        written.append(path)
    target = lab_extension_folder(prefix)
    if target.is_symlink() or target.is_file():
        target.unlink()
    elif target.exists():
        shutil.rmtree(target)  # an older build: its hashed file names differ
    shutil.copytree(LAB_EXTENSION, target)
    written.append(target)
    return written


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog=f"python -m {EXTENSION}",
        description="Serve JupyterLab's Validate from the course's handler (off the event "
                    "loop, with a time limit per cell) in this environment, and install the "
                    "JupyterLab plugin that runs it before Submit.")
    parser.add_argument("--prefix", default=sys.prefix,
                        help="the environment (default: this Python's, %(default)s)")
    args = parser.parse_args(argv)
    for path in install(prefix=args.prefix):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
