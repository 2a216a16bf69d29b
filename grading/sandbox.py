"""The operating-system sandbox every graded kernel runs in, made by bubblewrap (``bwrap``).

One :class:`Sandbox` per notebook that is graded, never reused for another notebook or student.
Bubblewrap creates it (Debian's ``bubblewrap``: unprivileged user namespaces, what Flatpak uses;
it works as root and as an ordinary user, without a daemon):

* **namespaces**: its own user, mount, PID, network, IPC and UTS namespaces. The network
  namespace has no interface but loopback, so nothing outside can be reached; every process
  started inside dies with the sandbox (PID namespace), whatever session or parent it has;
* **files**: a fresh root holding only the system (``/usr``, the ``/bin``, ``/lib`` links, a few
  files of ``/etc``), the Python installation and the virtualenv, and the course packages
  ``common`` and ``grading`` — all read-only. Writable: ``/tmp`` and the notebook's own folder,
  each a size-capped tmpfs that exists only in the sandbox. Nothing else of the course
  (``source/``, ``release/``, ``submitted/``, gradebooks, other sandboxes) nor the grader's home
  exists in it;
* **the kernel's messages** go through Unix sockets in the sandbox's ``/ipc`` (ZeroMQ's IPC
  transport); the grader reaches them as ``/proc/<pid>/root/ipc/…`` from outside.

Bubblewrap starts a placeholder process (``sleep``); the kernel itself is forked from the warm
fork server (:mod:`grading.forkserver`) and then *enters* the sandbox, as ``nsenter`` does
(:func:`enter`): join the namespaces of the placeholder, take its root, drop every capability,
and fork once more so the kernel is inside the PID namespace. So a kernel still starts in
milliseconds, with everything imported, yet runs where nothing of the course can be reached.

Limits inside (:class:`Policy`): the size of each tmpfs, the number of processes (a pids cgroup
when the grader may create one, as root; else ``RLIMIT_NPROC``, counted per user namespace),
the size of any one file (``RLIMIT_FSIZE``). Memory and time are limited by the grader as before
(:mod:`grading.classroom`, ``Execute.timeout``).
"""
import ctypes
import fcntl
import functools
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import common
import grading

BWRAP = "bwrap"
SANDBOX_ENV = "DL2_SANDBOX"  # in a forked kernel's launch environment: the sandbox to enter (JSON)
INSIDE_IPC = "/ipc"          # the sandbox's folder of kernel sockets
INSIDE_CONNECTION = "/ipc/connection.json"
SOCKET_NAME = "kernel"       # ZeroMQ IPC sockets are <folder>/kernel-<n>
INSTALL_HINT = ("install bubblewrap (Debian/Ubuntu: `sudo apt-get install bubblewrap`) and allow "
                "unprivileged user namespaces (Ubuntu 24.04 and later: `sudo sysctl "
                "kernel.apparmor_restrict_unprivileged_userns=0`); `python -m grading "
                "check-sandbox` tells what is missing")
PIDS_CGROUPS = (Path("/sys/fs/cgroup/pids"), Path("/sys/fs/cgroup"))
ETC_FILES = ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/passwd",
             "/etc/group", "/etc/fonts")

# namespace name in /proc/<pid>/ns -> its CLONE_NEW* flag, in the order they are entered
# (the user namespace first: it gives the rights to enter the others)
NS_GET_PARENT = 0xB702  # ioctl: the parent of a user namespace
NAMESPACES = {"user": 0x10000000, "mnt": 0x00020000, "ipc": 0x08000000, "uts": 0x04000000,
              "net": 0x40000000, "pid": 0x20000000}


class SandboxError(RuntimeError):
    """The sandbox cannot be made here; the message says what is missing and how to fix it."""


@dataclass(frozen=True, kw_only=True)
class Policy:
    """What a sandboxed kernel may use.

    Attributes
    ----------
    disk_bytes : int
        Size of each writable tmpfs (``/tmp`` and the notebook's folder).
    max_processes : int
        Processes (and threads) the sandbox may hold at once.
    max_file_bytes : int
        Largest file a process of the sandbox may write.
    """

    disk_bytes: int = 256 * 2 ** 20
    max_processes: int = 256
    max_file_bytes: int = 256 * 2 ** 20


def _package_dirs():
    return sorted({str(Path(p).resolve()) for pkg in (common, grading) for p in pkg.__path__})


def _data_dir():
    """The data sets' cache folder, bound read-only into the sandboxes; scikit-learn's bundled
    sets are cached in it first (once per process and folder), so what a graded notebook
    prints never depends on whether something else filled the cache before."""
    from common.datasets import get_data_dir

    folder = str(get_data_dir())
    _fill_cache(folder)
    return folder


@functools.cache
def _fill_cache(folder):
    from common.datasets import cache_bundled_sets

    cache_bundled_sets()


def read_only_paths():
    """Host paths bound read-only into every sandbox, at the same place: the system, Python, the
    virtualenv, the course packages (nothing else of the repository) and the data sets'
    download cache (:func:`common.datasets.get_data_dir`)."""
    paths = {"/usr", sys.prefix, sys.base_prefix, os.path.dirname(os.path.realpath(sys.executable)),
             *_package_dirs(), _data_dir()}
    paths.update(p for p in ETC_FILES if os.path.exists(p))
    return sorted(p for p in paths if os.path.exists(p))


def _system_links():
    """``/bin``, ``/lib``… as on the host: symlinks into ``/usr`` (merged /usr), else binds."""
    args = []
    for name in ("/bin", "/sbin", "/lib", "/lib32", "/lib64"):
        if os.path.islink(name):
            args += ["--symlink", os.readlink(name), name]
        elif os.path.isdir(name):
            args += ["--ro-bind", name, name]
    return args


def bwrap_argv(*, cwd, policy: Policy, info_fd=None):
    """The bubblewrap command of one sandbox whose notebook folder is ``cwd`` (host path, made
    an empty tmpfs at the same path inside); bubblewrap reports its process on ``info_fd``."""
    args = [BWRAP, *(["--info-fd", str(info_fd)] if info_fd is not None else []),
            "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
            "--unshare-uts", "--unshare-cgroup-try", "--disable-userns", "--die-with-parent",
            "--new-session", "--hostname", "sandbox"]
    # /tmp first: what is bound below it (a package or virtualenv under /tmp) must stay visible
    args += ["--size", str(policy.disk_bytes), "--tmpfs", "/tmp"]
    args += _system_links()
    for path in read_only_paths():
        args += ["--ro-bind", path, path]
    args += ["--proc", "/proc", "--dev", "/dev",
             "--size", str(policy.disk_bytes), "--tmpfs", str(cwd),
             "--size", str(2 ** 20), "--tmpfs", INSIDE_IPC, "--chdir", str(cwd)]
    return args + ["--", shutil.which("sleep") or "/usr/bin/sleep", "infinity"]


class Sandbox:
    """One sandbox, from :meth:`start` to :meth:`close` (host side, in the grader's process).

    Attributes
    ----------
    pid : int
        Host PID of the sandbox's first process (bubblewrap's init in its PID namespace): the
        kernel enters the namespaces of this process.
    cgroup : str or None
        The pids cgroup that caps its processes, when the grader may make one.
    """

    def __init__(self, *, cwd, policy: Policy = Policy()):
        self.cwd = str(cwd)
        self.policy = policy
        self.process = None
        self.pid = None
        self.cgroup = None

    @property
    def ipc_prefix(self):
        """Where the grader finds the kernel's sockets: ``/proc/<pid>/root/ipc/kernel``."""
        return f"/proc/{self.pid}/root{INSIDE_IPC}/{SOCKET_NAME}"

    def start(self, timeout=10.0):
        if shutil.which(BWRAP) is None:
            raise SandboxError(f"bubblewrap ({BWRAP}) is not installed: {INSTALL_HINT}")
        info_r, info_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                bwrap_argv(cwd=self.cwd, policy=self.policy, info_fd=info_w), pass_fds=[info_w], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE)
        finally:
            os.close(info_w)
        with os.fdopen(info_r, "rb") as info:
            data = info.read()  # bubblewrap closes it once the sandbox's process exists
        try:
            self.pid = json.loads(data)["child-pid"]
        except (ValueError, KeyError):
            err = self.process.communicate(timeout=timeout)[1].decode(errors="replace").strip()
            raise SandboxError(f"bubblewrap could not make the sandbox ({err or 'no message'}): "
                               f"{INSTALL_HINT}") from None
        # bubblewrap's init forks the placeholder once the sandbox is set up
        children = f"/proc/{self.pid}/task/{self.pid}/children"
        deadline = time.monotonic() + timeout
        while True:
            try:
                with open(children) as f:
                    if f.read().strip():
                        break
            except OSError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                err = self.process.communicate()[1].decode(errors="replace").strip()
                self.close()
                raise SandboxError(f"bubblewrap could not make the sandbox ({err or 'timeout'}): "
                                   f"{INSTALL_HINT}")
            time.sleep(0.0005)
        self.cgroup = self._make_cgroup()
        return self

    def _make_cgroup(self):
        """A pids cgroup for this sandbox when the grader may make one (as root); else None."""
        for root in PIDS_CGROUPS:
            if not (root / "pids.max").exists() and not (root / "cgroup.procs").exists():
                continue
            folder = root / f"dl2-sandbox-{uuid.uuid4().hex[:12]}"
            try:
                folder.mkdir()
                (folder / "pids.max").write_text(str(self.policy.max_processes))
                return str(folder)
            except OSError:
                try:
                    folder.rmdir()
                except OSError:
                    pass
        return None

    def environment(self):
        """What the fork server needs to put a kernel into this sandbox (the launcher's env)."""
        return {"pid": self.pid, "cgroup": self.cgroup, "cwd": self.cwd, "data_dir": _data_dir(),
                "disk_bytes": self.policy.disk_bytes,
                "max_processes": self.policy.max_processes,
                "max_file_bytes": self.policy.max_file_bytes}

    def close(self):
        """Kill everything in the sandbox (its init first: the PID namespace dies with it)."""
        for pid in (self.pid, self.process.pid if self.process else None):
            if pid:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
        if self.process is not None:
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
            if self.process.stderr:
                self.process.stderr.close()
        if self.cgroup:
            for _ in range(500):  # the cgroup can be removed once its last process is reaped
                try:
                    os.rmdir(self.cgroup)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.002)
            self.cgroup = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


# ------------------------------------------------------------------ inside: the forked kernel
_libc = ctypes.CDLL(None, use_errno=True)
_CAP_VERSION_3 = 0x20080522
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_PDEATHSIG = 1


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32),
                ("inheritable", ctypes.c_uint32)]


def _check(result, what):
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _read_folder(folder, budget):
    """The files under ``folder`` (relative path -> bytes), at most ``budget`` bytes in all."""
    files, total = {}, 0
    for root, _, names in os.walk(folder):
        for name in names:
            path = os.path.join(root, name)
            if not os.path.isfile(path) or os.path.islink(path):
                continue
            total += os.path.getsize(path)
            if total > budget:
                raise OSError(f"the notebook's folder holds more than {budget} bytes")
            with open(path, "rb") as f:
                files[os.path.relpath(path, folder)] = f.read()
    return files


def enter(spec, connection_file):
    """In a kernel forked from the fork server, before any student code: move into the
    sandbox ``spec`` (:meth:`Sandbox.environment`) and return the connection file's path
    inside. The caller must then fork once more (the child is in the PID namespace).

    The notebook's folder and the connection file are read on the host and written into the
    sandbox's tmpfs; the connection file's socket prefix becomes the inside one.
    """
    pid = spec["pid"]
    files = _read_folder(spec["cwd"], spec["disk_bytes"])
    with open(connection_file) as f:
        connection = json.load(f)
    connection["ip"] = f"{INSIDE_IPC}/{SOCKET_NAME}"
    if spec.get("cgroup"):
        with open(os.path.join(spec["cgroup"], "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))
    namespaces = {name: os.open(f"/proc/{pid}/ns/{name}", os.O_RDONLY) for name in NAMESPACES}
    root = os.open(f"/proc/{pid}/root", os.O_RDONLY | os.O_DIRECTORY)
    # --disable-userns nests a second user namespace (which may make no more of them) in the
    # one that owns the sandbox's other namespaces: enter the owner first, the nested one last
    owner = fcntl.ioctl(namespaces["user"], NS_GET_PARENT)
    fds = [root, owner, *namespaces.values()]
    try:
        if os.fstat(owner).st_ino != os.stat("/proc/self/ns/user").st_ino:
            _check(_libc.setns(owner, NAMESPACES["user"]), "entering the sandbox's user namespace")
        for name, flag in NAMESPACES.items():
            if name != "user":
                _check(_libc.setns(namespaces[name], flag), f"entering the sandbox's {name} namespace")
        _check(_libc.setns(namespaces["user"], NAMESPACES["user"]), "entering the sandbox's "
                                                                     "nested user namespace")
        os.fchdir(root)
        os.chroot(".")
    finally:
        for fd in fds:
            os.close(fd)
    os.chdir(spec["cwd"])
    for relative, data in files.items():
        path = os.path.join(spec["cwd"], relative)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)
    with open(INSIDE_CONNECTION, "w") as f:
        json.dump(connection, f)
    _drop_privileges(spec)
    return INSIDE_CONNECTION


def die_with_parent():
    """This process gets SIGKILL when its parent ends (the kernel, when its relay is killed)."""
    _check(_libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "tying the kernel to its relay")


def inside_environment(spec):
    """Environment variables a kernel gets inside the sandbox ``spec``: a home in its /tmp,
    and the data sets' cache where the sandbox has it."""
    from common.datasets import DATA_DIR_ENV_VAR

    return {"HOME": "/tmp", "IPYTHONDIR": "/tmp/.ipython", "MPLCONFIGDIR": "/tmp/matplotlib",
            DATA_DIR_ENV_VAR: spec["data_dir"]}


def _drop_privileges(spec):
    """No capabilities (entering gave all of them in the sandbox's user namespace), no way to
    regain any, and the process and file-size caps."""
    _check(_libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "setting no_new_privs")
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "dropping capabilities")
    if not spec.get("cgroup"):
        n = spec["max_processes"]
        resource.setrlimit(resource.RLIMIT_NPROC, (n, n))
    size = spec["max_file_bytes"]
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
