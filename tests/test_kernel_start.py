"""A kernel that stays silent after it starts is started again (grading/kernel_start.py).

Each test launches a kernel that hangs on its first start (``tests/kernels/``) and waits for
its first reply as nbclient does.
"""
import asyncio
import sys
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager
from traitlets.config import Config

from grading.course import repository
from grading.kernel_start import RestartingKernelClient

SILENT_FIRST_START = Path(__file__).parent / "kernels" / "silent_first_start.py"


class SilentFirstStartManager(AsyncKernelManager):
    """Kernels launched by ``silent_first_start.py``, which hangs the first time."""

    client_factory = RestartingKernelClient

    def __init__(self, marker, **kwargs):
        super().__init__(**kwargs)
        self.marker = marker

    @property
    def kernel_spec(self):
        return KernelSpec(argv=[sys.executable, str(SILENT_FIRST_START), str(self.marker),
                                "-f", "{connection_file}"],
                          display_name="silent first start", language="python",
                          interrupt_mode="signal", env={}, metadata={})


async def _first_reply(manager, timeout):
    await manager.start_kernel()
    client = manager.client()
    client.start_channels()
    try:
        await client.wait_for_ready(timeout=timeout)
        reply = await client.execute_interactive("x = 6 * 7", timeout=30)
        return reply["content"]["status"]
    finally:
        client.stop_channels()
        await manager.shutdown_kernel(now=True)


def _manager(tmp_path, attempts):
    return SilentFirstStartManager(tmp_path / "started-once", config=Config(
        {"RestartingKernelClient": {"start_attempts": attempts}}))


def test_a_silent_kernel_is_started_again_and_then_runs_code(tmp_path):
    manager = _manager(tmp_path, attempts=2)
    assert asyncio.run(_first_reply(manager, timeout=3)) == "ok"
    assert (tmp_path / "started-once").exists()  # the first start did hang


def test_without_a_second_attempt_the_silent_kernel_fails_as_before(tmp_path):
    manager = _manager(tmp_path, attempts=1)
    with pytest.raises(RuntimeError, match="didn't respond in 3 seconds"):
        asyncio.run(_first_reply(manager, timeout=3))


def test_nbgrader_kernels_of_the_course_use_it():
    """The course's config gives nbgrader's kernels (autograde, validate) this client."""
    config = repository().config
    assert config.AsyncKernelManager.client_factory is RestartingKernelClient
    assert config.Execute.startup_timeout > 0
