"""Fast kernels for class grading: every notebook gets a fresh kernel forked from a warm process.

Starting a Jupyter kernel the usual way costs about 0.4 s of CPU (Python, IPython, ipykernel,
then the notebook's own ``import numpy``, ``pandas``, ``common``...) and shutting it down
another 0.1 s. Grading 100 students x 11 assignments spends most of its time there. Here a
*fork server* imports all of that once; each kernel is then a ``fork()`` of it, which takes
milliseconds and gives every submission its own process, its own memory and a clean state,
exactly as a new kernel would (nothing of one student's code ever runs in the server).

How the pieces fit (only ``python -m grading grade-class`` uses this; ``nbgrader autograde``
and ``nbgrader validate`` run by hand use ordinary kernels):

* :class:`ForkExecute` is nbgrader's ``Execute`` preprocessor with :class:`ForkKernelManager`;
  ``nbgrader_config.py`` selects it when ``DL2_FORK_KERNELS=1``.
* :class:`ForkKernelManager` starts the server once per nbgrader process (``python -m
  grading.forkserver SOCKET``, in nbgrader's process group and under its memory limit) and
  launches ``grading/forklaunch.py`` as the "kernel process" that jupyter_client watches.
* the launcher hands its stdin/stdout/stderr and the kernel's connection file to the server,
  which forks the kernel; the launcher forwards signals (interrupts) to the kernel and exits
  with the kernel's exit status, so jupyter_client sees a kernel die exactly when it dies.
* if the launcher is killed, the server kills its kernel; if nbgrader goes away (its pipe to
  the server closes, or its process group is killed), the server and every kernel go with it.
"""
import atexit
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path

LAUNCHER = Path(__file__).with_name("forklaunch.py")
HEADER = struct.Struct("!Q")  # length of the JSON request that follows the file descriptors

# What the server imports before forking: the kernel machinery and what the notebooks import.
WARM_MODULES = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
    "IPython.core.completer",
    "numpy", "pandas", "common.functions", "common.layers", "common.gradient_check",
    "common.optimizers", "common.initializers", "common.network", "common.trainer",
    "common.datasets", "common.autodiff", "grading.kernel_guard",
    "matplotlib", "matplotlib.pyplot", "matplotlib.backends.backend_agg",
)
# The backend a kernel gives matplotlib when none is set (ipykernel's kernelapp does the same);
# it is only loaded when a notebook first draws, inside the kernel.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _warm_matplotlib():
    """Draw one figure off-screen, so the fonts and the renderer are loaded before forking."""
    import io

    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [1, 0], label="warm")
    ax.set_title("warm")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")


# ------------------------------------------------------------------------------ the server
def _recv_request(conn):
    msg, fds, _, _ = socket.recv_fds(conn, HEADER.size, 3)
    if len(msg) != HEADER.size or len(fds) != 3:
        for fd in fds:
            os.close(fd)
        raise ConnectionError("malformed request")
    (size,) = HEADER.unpack(msg)
    data = bytearray()
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            raise ConnectionError("request cut short")
        data += chunk
    return json.loads(data), fds


def _become_kernel(request, fds, server_pid):
    """In the forked child: take over the launcher's stdio, cwd and environment; run ipykernel."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    # ipykernel exits when its parent (this server) goes away; the option is given explicitly
    # because ipykernel read JPY_PARENT_PID when the server imported it
    os.environ["JPY_PARENT_PID"] = str(server_pid)
    # matplotlib read MPLBACKEND when the server imported it: use the kernel's own setting
    import matplotlib

    matplotlib.rcParams["backend"] = os.environ.get("MPLBACKEND") or INLINE_BACKEND
    sys.argv = ["ipykernel_launcher", *request["argv"], f"--IPKernelApp.parent_handle={server_pid}"]
    # as with `python -m ipykernel_launcher`: the kernel puts the notebook's folder on the path
    while sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance()


def serve(path):
    """Accept launch requests on the Unix socket ``path`` until stdin closes."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's note on frozen modules
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for name in WARM_MODULES:
        __import__(name)
    _warm_matplotlib()
    if threading.active_count() != 1:  # fork() is only safe from a single-threaded process
        raise RuntimeError(f"fork server has {threading.active_count()} threads after imports")
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(path)
    listener.listen(64)
    wake_r, wake_w = os.pipe()  # SIGCHLD wakes the loop to reap kernels that ended
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a Ctrl-C meant for nbgrader is not for us
    sel = selectors.DefaultSelector()
    sel.register(listener, selectors.EVENT_READ, "accept")
    sel.register(sys.stdin.fileno(), selectors.EVENT_READ, "parent")
    sel.register(wake_r, selectors.EVENT_READ, "reap")
    kernels = {}  # pid -> connection to its launcher
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    server_pid = os.getpid()

    def finish(pid, status):
        conn = kernels.pop(pid, None)
        if conn is not None:
            sel.unregister(conn)
            try:
                conn.sendall(f"exit {os.waitstatus_to_exitcode(status)}\n".encode())
            except OSError:
                pass
            conn.close()

    while True:
        for key, _ in sel.select():
            what = key.data
            if what == "parent":
                if not os.read(sys.stdin.fileno(), 4096):  # nbgrader is gone: so are we
                    for pid in kernels:
                        os.kill(pid, signal.SIGKILL)
                    return
            elif what == "reap":
                while os.read(wake_r, 4096) == 4096:
                    pass
                while kernels:
                    try:
                        pid, status = os.waitpid(-1, os.WNOHANG)
                    except ChildProcessError:
                        break
                    if pid == 0:
                        break
                    finish(pid, status)
            elif what == "accept":
                conn, _ = listener.accept()
                try:
                    request, fds = _recv_request(conn)
                except (OSError, ValueError) as err:
                    print(f"fork server: bad request ({err})", file=sys.stderr)
                    conn.close()
                    continue
                pid = os.fork()
                if pid == 0:
                    code = 1
                    try:
                        signal.set_wakeup_fd(-1)
                        sel.close()
                        for sock in (listener, conn, *kernels.values()):
                            sock.close()
                        os.close(wake_r)
                        os.close(wake_w)
                        _become_kernel(request, fds, server_pid)
                        code = 0
                    except SystemExit as exc:
                        code = exc.code if isinstance(exc.code, int) else 1
                    except BaseException:
                        traceback.print_exc()
                    finally:
                        sys.stdout.flush()
                        sys.stderr.flush()
                        os._exit(code)
                for fd in fds:
                    os.close(fd)
                conn.sendall(f"{pid}\n".encode())
                kernels[pid] = conn
                sel.register(conn, selectors.EVENT_READ, pid)
            else:  # the launcher closed its end (it was killed): kill its kernel
                pid = what
                try:
                    data = key.fileobj.recv(64)
                except OSError:
                    data = b""
                if not data:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass


# ------------------------------------------------------------------ the jupyter_client side
class _Server:
    """One fork server per process, started on first use and stopped at exit."""

    _lock = threading.Lock()
    _instance = None

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="dl2-fork-")
        self.path = os.path.join(self.folder, "server.sock")
        self.proc = subprocess.Popen([sys.executable, "-m", "grading.forkserver", self.path],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        line = self.proc.stdout.readline()
        if line.strip() != b"ready":
            self.stop()
            raise RuntimeError("the grading fork server did not start (see the messages above)")
        atexit.register(self.stop)

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    @classmethod
    def get(cls):
        with cls._lock:
            if cls._instance is None or not cls._instance.alive():
                cls._instance = cls()
            return cls._instance


def _manager_classes():
    import asyncio
    import time
    from queue import Empty

    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager
    from nbgrader.preprocessors import Execute

    class ReadyClient(AsyncKernelClient):
        """A client that knows the kernel is ready as soon as it is.

        jupyter_client's ``wait_for_ready`` ends by waiting for 0.2 s of silence on IOPub;
        here it ends when IOPub delivers the kernel's "idle" status for our ``kernel_info``
        request, which proves both channels are connected (the same check, without the wait).
        """

        async def _async_wait_for_ready(self, timeout=None):
            deadline = time.monotonic() + (float("inf") if timeout is None else timeout)
            while True:
                request = self.kernel_info()
                try:
                    reply = await self.shell_channel.get_msg(timeout=1)
                except Empty:
                    reply = None
                if reply is not None and reply["msg_type"] == "kernel_info_reply" \
                        and reply["parent_header"].get("msg_id") == request:
                    try:
                        while True:
                            msg = await self.iopub_channel.get_msg(timeout=0.5)
                            if msg["msg_type"] == "iopub_welcome":
                                break  # subscribed only now: our "idle" may be lost, ask again
                            if (msg["parent_header"].get("msg_id") == request
                                    and msg["msg_type"] == "status"
                                    and msg["content"]["execution_state"] == "idle"):
                                self._handle_kernel_info_reply(reply)
                                return
                    except Empty:
                        pass  # IOPub not connected yet (ZeroMQ's slow joiner): ask again
                if not await self._async_is_alive():
                    raise RuntimeError("Kernel died before replying to kernel_info")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"Kernel didn't respond in {timeout:.0f} seconds")

        wait_for_ready = _async_wait_for_ready  # jupyter_client binds the public name directly

    class ForkKernelManager(AsyncKernelManager):
        """A kernel manager whose kernels are forked from the warm fork server."""

        client_factory = ReadyClient

        @property
        def kernel_spec(self):
            server = _Server.get()
            return KernelSpec(
                argv=[sys.executable, "-S", str(LAUNCHER), "-f", "{connection_file}"],
                env={"DL2_FORK_SERVER": server.path}, display_name="Python 3 (forked)",
                language="python", interrupt_mode="signal", metadata={})

        async def _async_kill_kernel(self, restart=False):
            # jupyter_client polls a killed kernel every 0.1 s; the launcher dies within a
            # few milliseconds of SIGKILL, so look more often
            if self.has_kernel:
                await self.provisioner.kill(restart=restart)
                process = self.provisioner.process
                for _ in range(2500):
                    if process is None or process.poll() is not None:
                        break
                    await asyncio.sleep(0.002)
            await super()._async_kill_kernel(restart=restart)

    class ForkExecute(Execute):
        """nbgrader's ``Execute`` preprocessor, running each notebook in a forked kernel."""

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("kernel_manager_class", ForkKernelManager)
            super().__init__(*args, **kwargs)

    return ForkKernelManager, ForkExecute


def __getattr__(name):  # the classes need jupyter_client and nbgrader: build them on first use
    if name in ("ForkKernelManager", "ForkExecute"):
        global ForkKernelManager, ForkExecute
        ForkKernelManager, ForkExecute = _manager_classes()
        return globals()[name]
    raise AttributeError(name)


if __name__ == "__main__":
    serve(sys.argv[1])
