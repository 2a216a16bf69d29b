"""A kernel that hangs while it starts is restarted, instead of failing the notebook.

A Python kernel usually answers its first ``kernel_info`` request within a second or two; very
rarely (ipykernel 7, a loaded machine) it stays alive and silent for good, and nbclient then
gives up after ``startup_timeout`` with "Kernel didn't respond in N seconds". For a student's
Validate that is a failed check of a correct notebook; for ``nbgrader validate`` or
``autograde`` over several notebooks it stops the whole run.

:class:`RestartingKernelClient` waits ``timeout`` seconds (nbclient's ``startup_timeout``) for
each of ``start_attempts`` starts; between them it asks its kernel manager to kill and relaunch
the kernel. The relaunched kernel keeps the connection file (ports and key), so the client's
channels reconnect by themselves. A kernel that *dies* is not restarted: that is an error to
report, not a hang.

``nbgrader_config.py`` makes it the client of nbgrader's kernels
(``c.AsyncKernelManager.client_factory``); :class:`grading.forkkernel.ReadyClient` builds on it.
"""
from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import KernelManager
from traitlets import Integer


class RestartingKernelClient(AsyncKernelClient):
    """An asynchronous kernel client whose ``wait_for_ready`` restarts a silent kernel."""

    start_attempts = Integer(3, min=1, help="Kernel starts to try before giving up; each waits "
                                            "the start-up timeout for the kernel's first "
                                            "reply.").tag(config=True)

    async def _wait_once(self, timeout):
        """One wait for the kernel's first reply (jupyter_client's own); raises
        ``RuntimeError`` when the kernel dies or stays silent for ``timeout`` seconds."""
        await super()._async_wait_for_ready(timeout=timeout)

    async def _async_wait_for_ready(self, timeout=None):
        for attempt in range(1, self.start_attempts + 1):
            try:
                return await self._wait_once(timeout)
            except RuntimeError as error:
                manager = self.parent
                silent = "didn't respond" in str(error)
                if not (silent and attempt < self.start_attempts
                        and isinstance(manager, KernelManager)):
                    raise
                self.log.warning("The kernel did not answer within %.0f s of starting; "
                                 "starting it again (attempt %d of %d).",
                                 timeout, attempt + 1, self.start_attempts)
                await manager._async_restart_kernel(now=True)

    wait_for_ready = _async_wait_for_ready  # jupyter_client binds the public name directly
