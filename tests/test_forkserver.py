"""The fork server behind class grading: forked kernels behave like fresh kernels.

Each test starts real kernels through :class:`grading.forkkernel.ForkKernelManager`, as
``nbgrader autograde`` does under ``python -m grading grade-class``.
"""
import asyncio
import contextlib
import os
import signal
import time

import pytest

from grading import forkkernel, forkserver

pytestmark = pytest.mark.xdist_group("forkserver")


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie of ours counts as gone
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _wait_gone(pid, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.02)
    return False


async def _run(client, code, timeout=30):
    """Execute ``code``; return (stdout text, error name or None)."""
    msg_id = client.execute(code)
    out, error = [], None
    while True:
        msg = await client.get_iopub_msg(timeout=timeout)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind = msg["msg_type"]
        if kind == "stream":
            out.append(msg["content"]["text"])
        elif kind == "error":
            error = msg["content"]["ename"]
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out), error


async def _start(**traits):
    km = forkkernel.ForkKernelManager(**traits)
    await km.start_kernel()
    client = km.client()
    client.start_channels()
    await client.wait_for_ready(timeout=60)
    return km, client


@contextlib.asynccontextmanager
async def _kernel(**traits):
    """A forked kernel and a ready client; the kernel is shut down (now) on leaving."""
    km, client = await _start(**traits)
    try:
        yield km, client
    finally:
        client.stop_channels()
        await km.shutdown_kernel(now=True)


def test_forked_kernels_run_code_in_separate_fresh_processes():
    async def scenario():
        async with _kernel() as (_, c1), _kernel() as (_, c2):
            out1, err = await _run(c1, "import os, numpy; x = 41; print(os.getpid(), os.getppid())")
            assert err is None
            out2, err = await _run(c2, "import os; print(os.getpid(), 'x' in dir())")
            assert err is None
            pid1, parent1 = map(int, out1.split())
            pid2, has_x = out2.split()
            assert pid1 != int(pid2), "each notebook must get its own process"
            assert has_x == "False", "a forked kernel must not see another kernel's variables"
            assert parent1 == forkkernel.ForkServer.shared().proc.pid
            out, err = await _run(c1, "print(x + 1)")
            assert (out.strip(), err) == ("42", None)
        assert _wait_gone(pid1), "shutdown must end the forked kernel"

    asyncio.run(scenario())


def test_a_server_started_by_its_owner_forks_the_kernels_under_its_memory_limit():
    """A Dask worker's fork server (grading.cluster): ForkKernelManager.server names it, and
    its kernels inherit the address-space limit it was started with."""
    limit = 3 * 2 ** 30
    server = forkkernel.ForkServer(memory_bytes=limit)

    async def scenario():
        async with _kernel(server=server.path) as (_, client):
            out, err = await _run(client, "import os, resource; "
                                          "print(os.getppid(), resource.getrlimit(resource.RLIMIT_AS)[0])")
            assert err is None, err
            return tuple(map(int, out.split()))

    try:
        parent, address_space = asyncio.run(scenario())
        assert parent == server.proc.pid, "the kernel must be forked from the named server"
        assert parent != forkkernel.ForkServer.shared().proc.pid
        assert address_space == limit
    finally:
        server.stop()
    assert not _pid_alive(server.proc.pid)


@pytest.mark.parametrize("mplbackend", [None, "agg"])
def test_matplotlib_is_warm_and_draws_as_in_a_fresh_kernel(monkeypatch, mplbackend):
    # a fresh kernel uses MPLBACKEND when it is set, else the inline backend ipykernel sets
    if mplbackend:
        monkeypatch.setenv("MPLBACKEND", mplbackend)
    else:
        monkeypatch.delenv("MPLBACKEND", raising=False)

    async def scenario():
        async with _kernel() as (_, client):
            out, err = await _run(client, "import sys; print('matplotlib.pyplot' in sys.modules)")
            assert (out.strip(), err) == ("True", None), "the server should have imported pyplot"
            code = ("import matplotlib, matplotlib.pyplot as plt\n"
                    "plt.plot([0, 1], [1, 0]); plt.title('check')\n"
                    "print(matplotlib.get_backend())\nplt.show()")
            msg_id = client.execute(code)
            out, shown = [], []
            while True:
                msg = await client.get_iopub_msg(timeout=30)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "stream":
                    out.append(msg["content"]["text"])
                elif msg["msg_type"] == "display_data":
                    shown.extend(msg["content"]["data"])
                elif msg["msg_type"] == "error":
                    raise AssertionError(msg["content"]["evalue"])
                elif msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            if mplbackend:
                assert "".join(out).strip().lower() == mplbackend
            else:
                assert "".join(out).strip() == forkserver.INLINE_BACKEND
                assert "image/png" in shown, f"plt.show() displayed {shown}, not a PNG"

    asyncio.run(scenario())


def test_interrupt_reaches_the_forked_kernel_and_it_keeps_working():
    async def scenario():
        async with _kernel() as (km, client):
            msg_id = client.execute("import time; time.sleep(60)")
            await asyncio.sleep(0.5)
            await km.interrupt_kernel()
            error = None
            while True:
                msg = await client.get_iopub_msg(timeout=20)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                if msg["msg_type"] == "error":
                    error = msg["content"]["ename"]
                if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                    break
            assert error == "KeyboardInterrupt"
            out, err = await _run(client, "print('still here')")
            assert (out.strip(), err) == ("still here", None)

    asyncio.run(scenario())


def test_a_kernel_that_exits_is_seen_dead_and_a_killed_launcher_takes_its_kernel_along():
    async def scenario():
        async with _kernel() as (km, client):
            client.execute("import os; os._exit(3)")
            deadline = time.monotonic() + 10
            while await km.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
            assert not await km.is_alive(), "the launcher must exit when its kernel does"
            assert km.provisioner.process.poll() == 3, "the launcher passes on the exit code"

        async with _kernel() as (km, client):
            out, _ = await _run(client, "import os; print(os.getpid())")
            kernel_pid = int(out)
            km.provisioner.process.send_signal(signal.SIGKILL)  # the launcher, not the kernel
            assert _wait_gone(kernel_pid), "the server must kill a kernel whose launcher died"

    asyncio.run(scenario())


def test_the_server_and_its_kernels_go_when_their_parent_closes_the_pipe():
    async def scenario():
        km, client = await _start()
        out, _ = await _run(client, "import os; print(os.getpid())")
        client.stop_channels()
        return int(out), km

    kernel_pid, km = asyncio.run(scenario())
    server = forkkernel.ForkServer.shared()
    server_pid = server.proc.pid
    server.proc.stdin.close()  # what happens when nbgrader exits
    server.proc.wait(10)
    assert _wait_gone(kernel_pid), "closing the server must kill its kernels"
    assert not _pid_alive(server_pid)
    assert forkkernel.ForkServer.shared().proc.pid != server_pid, "a new server starts on next use"
    asyncio.run(km.shutdown_kernel(now=True))
