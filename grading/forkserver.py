"""Fast kernels for class grading: every notebook gets a fresh kernel forked from a warm process.

Starting a Jupyter kernel the usual way means starting Python, IPython and ipykernel, then the
notebook's own ``import numpy``, ``pandas``, ``common``..., and grading a class spends most of
its time there (measurements: README, "Performance"). Here a *fork server*
(``python -m grading.forkserver SOCKET``) imports all of that once; each kernel is then a
``fork()`` of it, which takes milliseconds and gives every submission its own process, its
own memory and a clean state, exactly as a new kernel would (nothing of one student's code
ever runs in the server).

How the pieces fit (class grading sets ``GuardedExecute.fork_kernels``; ``nbgrader autograde``
and ``nbgrader validate`` run by hand use ordinary kernels):

* :class:`grading.forkkernel.ForkKernelManager` starts this server once per nbgrader process
  and launches :mod:`grading.forklaunch` as the "kernel process" jupyter_client watches;
* the launcher hands its stdin/stdout/stderr and the kernel's connection file to the server,
  which forks the kernel (:func:`serve`);
* if the launcher is killed, the server kills its kernel; if nbgrader goes away (its pipe to
  the server closes, or its process group is killed), the server and every kernel go with it.
"""
import importlib
import json
import os
import pkgutil
import selectors
import signal
import socket
import struct
import sys
import threading
import traceback

from grading import kernel_guard  # noqa: F401  (imported before forking: the guard of every kernel)
from grading import forklaunch, sandbox

HEADER = struct.Struct("!Q")  # length of the JSON request that follows the file descriptors
                              # (grading/forklaunch.py packs the same "!Q")
READY = "ready"  # the server's first line on stdout once it accepts requests

# What the server imports before forking: the kernel machinery and what the notebooks import
# (and every module of the course package, see _warm_imports).
WARM_MODULES = (
    "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel.debugger",
    "IPython.core.completer", "numpy", "pandas",
    "matplotlib", "matplotlib.pyplot", "matplotlib.backends.backend_agg",
)
# The backend a kernel gives matplotlib when none is set (ipykernel's kernelapp does the same);
# it is only loaded when a notebook first draws, inside the kernel.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def _warm_imports():
    """Import :data:`WARM_MODULES` and every module of the course package ``common``."""
    import common

    for name in WARM_MODULES:
        importlib.import_module(name)
    for info in pkgutil.iter_modules(common.__path__, prefix=common.__name__ + "."):
        importlib.import_module(info.name)


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


def _enter_sandbox(spec, argv):
    """Move this process into the sandbox ``spec`` and fork: the child returns (it is the kernel,
    inside the sandbox's PID namespace) with its kernel arguments; this process stays as the
    kernel's relay (it forwards the launcher's signals and exits with the kernel's status)."""
    connection = argv[argv.index("-f") + 1]
    inside = sandbox.enter(spec, connection)
    argv = [inside if arg == connection else arg for arg in argv]
    kernel = os.fork()
    if kernel == 0:
        sandbox.die_with_parent()  # a killed relay (a restart) takes its kernel along
        return argv
    forklaunch.forward_signals(kernel)
    while True:
        try:
            _, status = os.waitpid(kernel, 0)
            break
        except InterruptedError:
            continue
    os._exit(os.waitstatus_to_exitcode(status) % 256)


def _become_kernel(request, fds, server_pid):
    """In the forked child: take over the launcher's stdio, cwd and environment (and enter the
    launcher's sandbox, when it names one); run ipykernel."""
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    for signum in (signal.SIGCHLD, signal.SIGTERM, signal.SIGHUP, signal.SIGPIPE):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    env = dict(request["env"])
    argv = list(request["argv"])
    if sandbox.SANDBOX_ENV in env:
        spec = json.loads(env.pop(sandbox.SANDBOX_ENV))
        argv = _enter_sandbox(spec, argv)
        env.update(sandbox.inside_environment(spec))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(env)
    # ipykernel exits when its parent (this server) goes away; the option is given explicitly
    # because ipykernel read JPY_PARENT_PID when the server imported it
    os.environ["JPY_PARENT_PID"] = str(server_pid)
    # matplotlib read MPLBACKEND when the server imported it: use the kernel's own setting
    import matplotlib

    matplotlib.rcParams["backend"] = os.environ.get("MPLBACKEND") or INLINE_BACKEND
    sys.argv = ["ipykernel_launcher", *argv, f"--IPKernelApp.parent_handle={server_pid}"]
    # as with `python -m ipykernel_launcher`: the kernel puts the notebook's folder on the path
    while sys.path and sys.path[0] in ("", os.getcwd()):
        del sys.path[0]
    from ipykernel.kernelapp import IPKernelApp

    IPKernelApp.launch_instance()


def serve(path):
    """Accept launch requests on the Unix socket ``path`` until stdin closes."""
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's note on frozen modules
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    _warm_imports()
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
    sys.stdout.write(READY + "\n")
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


if __name__ == "__main__":
    serve(sys.argv[1])
