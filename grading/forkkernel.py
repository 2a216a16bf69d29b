"""The jupyter_client side of forked kernels (:mod:`grading.forkserver` is the server side).

:class:`ForkKernelManager` starts the fork server once per process (``python -m
grading.forkserver SOCKET``, in the caller's process group and under its memory limit), or
uses one that is already running (``ForkKernelManager.server``: a Dask worker's), and
launches ``python -m grading.forklaunch`` as the "kernel process" that jupyter_client
watches: the launcher hands its standard streams and the kernel's connection file to the
server, which forks the kernel; the launcher forwards signals (interrupts) to the kernel and
exits with the kernel's exit status, so jupyter_client sees a kernel die exactly when it dies.
:class:`grading.preprocessors.GuardedExecute` uses it when ``fork_kernels`` is set.
"""
import asyncio
import atexit
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from queue import Empty

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets import Integer, Unicode

from grading import forklaunch, forkserver, sandbox
from grading.kernel_start import RestartingKernelClient


def _address_space_limit(memory_bytes):
    def preexec():
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    return preexec


class ForkServer:
    """A running fork server (``python -m grading.forkserver SOCKET``), stopped at exit.

    :meth:`shared` is the one server of this process, started on first use (an ``nbgrader``
    process's; it inherits that process's memory limit). A long-lived owner (a Dask worker,
    :mod:`grading.cluster`) starts its own with ``memory_bytes`` and hands its :attr:`path`
    to the nbgrader runs it starts (``ForkKernelManager.server``).
    """

    _lock = threading.Lock()
    _instance = None

    def __init__(self, *, memory_bytes=None):
        self.folder = tempfile.mkdtemp(prefix="dl2-fork-")
        self.path = os.path.join(self.folder, "server.sock")
        self.proc = subprocess.Popen([sys.executable, "-m", forkserver.__name__, self.path],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     preexec_fn=None if memory_bytes is None
                                     else _address_space_limit(memory_bytes))
        line = self.proc.stdout.readline()
        if line.strip() != forkserver.READY.encode():
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
    def shared(cls):
        with cls._lock:
            if cls._instance is None or not cls._instance.alive():
                cls._instance = cls()
            return cls._instance


class ReadyClient(RestartingKernelClient):
    """A client that knows the kernel is ready as soon as it is.

    jupyter_client's ``wait_for_ready`` ends by waiting for 0.2 s of silence on IOPub; here it
    ends when IOPub delivers the kernel's "idle" status for our ``kernel_info`` request, which
    proves both channels are connected (the same check, without the wait). A kernel that
    stays silent is started again, as by any :class:`RestartingKernelClient`.
    """

    async def _wait_once(self, timeout):
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


class ForkKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels are forked from the warm fork server."""

    client_factory = ReadyClient

    server = Unicode("", help="Socket of a fork server that is already running (a Dask "
                     "worker's, grading.cluster); empty: this process starts its own on first "
                     "use.").tag(config=True)

    @property
    def kernel_spec(self):
        path = self.server or ForkServer.shared().path
        return KernelSpec(
            argv=[sys.executable, "-m", forklaunch.__name__, "-f", "{connection_file}"],
            env={forklaunch.SERVER_ENV: path}, display_name="Python 3 (forked)",
            language="python", interrupt_mode="signal", metadata={})

    async def _async_kill_kernel(self, restart=False):
        # jupyter_client polls a killed kernel every 0.1 s; the launcher dies within a few
        # milliseconds of SIGKILL, so look more often
        if self.has_kernel:
            await self.provisioner.kill(restart=restart)
            process = self.provisioner.process
            for _ in range(2500):
                if process is None or process.poll() is not None:
                    break
                await asyncio.sleep(0.002)
        await super()._async_kill_kernel(restart=restart)


class SandboxKernelManager(ForkKernelManager):
    """Forked kernels, each in a fresh OS sandbox (:mod:`grading.sandbox`) made for it before
    it starts and destroyed, with every process in it, when it is shut down. A restart (a
    kernel that stayed silent) reuses the same notebook's sandbox; nothing else ever does.

    The kernel's ZeroMQ sockets are Unix sockets inside the sandbox (it has no network)."""

    disk_bytes = Integer(sandbox.Policy.disk_bytes, help="Size of each writable tmpfs of the "
                         "sandbox (/tmp, the notebook's folder), bytes.").tag(config=True)
    max_processes = Integer(sandbox.Policy.max_processes, help="Processes the sandbox may hold "
                            "at once.").tag(config=True)
    max_file_bytes = Integer(sandbox.Policy.max_file_bytes, help="Largest file a process in the "
                             "sandbox may write, bytes.").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.sandbox = None

    @property
    def kernel_spec(self):
        spec = super().kernel_spec
        spec.env[sandbox.SANDBOX_ENV] = json.dumps(self.sandbox.environment())
        return spec

    async def _async_pre_start_kernel(self, **kwargs):
        if self.sandbox is None:
            policy = sandbox.Policy(disk_bytes=self.disk_bytes, max_processes=self.max_processes,
                                    max_file_bytes=self.max_file_bytes)
            self.sandbox = sandbox.Sandbox(cwd=kwargs.get("cwd") or os.getcwd(),
                                           policy=policy).start()
            self.ip = self.sandbox.ipc_prefix
        return await super()._async_pre_start_kernel(**kwargs)

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.close_sandbox()

    cleanup_resources = _async_cleanup_resources  # jupyter_client binds the public name directly

    def close_sandbox(self):
        if self.sandbox is not None:
            self.sandbox.close()
            self.sandbox = None
