"""``python -m grading check-sandbox``: a real sandboxed kernel tries its own walls.

:func:`check` starts one kernel exactly as grading does (forked, in a fresh
:class:`grading.sandbox.Sandbox`), runs :func:`probe` in it, shuts it down and then looks
from outside for the process it left behind. Each line of the result is one property of the
threat model (README, "Security"): what was tried, whether the wall held, what was seen.
``grade-class`` runs it before grading anything and stops when a wall does not hold.
"""
import json
import os
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from grading.course import REPO
from grading.forkkernel import SandboxKernelManager
from grading.sandbox import INSTALL_HINT, Policy, SandboxError

PROBE_MARKER = "dl2-sandbox-probe"


@dataclass(frozen=True)
class Finding:
    """One property of the sandbox: ``held`` is True when the wall held."""

    what: str
    held: bool
    detail: str


def _try(action):
    try:
        return f"reached ({action()})"
    except OSError as err:
        return f"blocked ({err.strerror or err})"


def probe(targets, survivor_marker):
    """Run inside a sandboxed kernel: try each wall and print the findings as JSON.

    ``targets`` maps a name to a host path the kernel must not reach; ``survivor_marker`` is
    the argument of a process started in a new session, which must not outlive the kernel.
    """
    seen = {name: _try(lambda p=path: len(os.listdir(p)) if os.path.isdir(p)
                       else len(open(p, "rb").read()))
            for name, path in targets.items()}
    seen["write the course package"] = _try(
        lambda: open(os.path.join(REPO, "common", "__init__.py"), "a").close())
    seen["network"] = _try(lambda: socket.create_connection(("1.1.1.1", 80), timeout=2).close())
    procs = [p for p in os.listdir("/proc") if p.isdigit()]
    seen["processes visible"] = f"{len(procs)} ({' '.join(sorted(procs, key=int))})"
    subprocess.Popen(["sleep", survivor_marker], start_new_session=True,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seen["process cap"] = str(_fork_until_refused(limit=4096))
    stats = {p: os.statvfs(p) for p in (os.getcwd(), "/tmp")}
    seen["disk"] = ", ".join(f"{p}: {s.f_blocks * s.f_frsize // 2 ** 20} MiB"
                             for p, s in stats.items())
    print(json.dumps(seen))


def _fork_until_refused(limit):
    """How many children could be forked (each waits on a pipe and then exits), at most ``limit``."""
    r, w = os.pipe()
    children = []
    try:
        while len(children) < limit:
            pid = os.fork()
            if pid == 0:
                os.close(w)
                os.read(r, 1)
                os._exit(0)
            children.append(pid)
    except OSError:
        pass
    finally:
        os.close(w)
        os.close(r)
        for pid in children:
            os.waitpid(pid, 0)
    return len(children)


def _leftover(marker):
    out = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True)
    return out.stdout.split()


PROBE_TIMEOUT = 180  # s for the probe's one cell: it starts ~100s of processes (the cap), which a
                     # busy machine can make slow; a failure is then not a missing sandbox


def check(*, timeout=PROBE_TIMEOUT):
    """The findings of one sandboxed probe kernel (a list of :class:`Finding`); raises
    :class:`grading.sandbox.SandboxError` when no sandbox can be made at all."""
    marker = f"{10 ** 6 + uuid.uuid4().int % 10 ** 6}"  # a unique `sleep` argument
    home_file = Path.home() / f".{PROBE_MARKER}-{marker}"  # a file of the grader's home
    home_file.write_text("the grader's own file\n")
    try:
        return _check(marker, home_file, timeout)
    finally:
        home_file.unlink(missing_ok=True)


def _check(marker, home_file, timeout):
    with tempfile.TemporaryDirectory() as tmp:
        mine, other = Path(tmp, "student-a"), Path(tmp, "student-b")
        for folder in (mine, other):
            folder.mkdir()
            (folder / "answer.py").write_text("x = 1\n")
        targets = {"another submission": str(other), "the solutions (source/)": str(REPO / "source"),
                   "the grader's home": str(home_file),
                   "a gradebook": str(other / "gradebook.db")}
        (other / "gradebook.db").write_bytes(b"SQLite format 3\x00")
        cell = (f"from grading.sandbox_check import probe\n"
                f"probe({json.dumps(targets)!s}, {marker!r})")
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)])
        client = NotebookClient(nb, timeout=timeout, kernel_manager_class=SandboxKernelManager,
                                resources={"metadata": {"path": str(mine)}})
        try:
            client.execute()
        except TimeoutError as err:  # the probe started but did not finish: a busy machine
            raise SandboxError(f"the sandbox probe did not finish within {timeout} s; the machine "
                               "is probably too busy: wait and run `python -m grading "
                               "check-sandbox` again") from err
        except Exception as err:  # the kernel could not start in the sandbox
            raise SandboxError(f"no kernel could run in the sandbox ({err}): {INSTALL_HINT}") from err
        outputs = nb.cells[0].outputs
        text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        errors = [f"{o.ename}: {o.evalue}" for o in outputs if o.get("output_type") == "error"]
        if errors or not text.strip():
            raise SandboxError(f"the probe failed in the sandbox ({'; '.join(errors) or 'no output'})")
        seen = json.loads(text.strip().splitlines()[-1])
    findings = [Finding(name, seen[name].startswith("blocked"), seen[name])
                for name in (*targets, "write the course package", "network")]
    visible = seen["processes visible"]
    findings.append(Finding("own PID namespace", int(visible.split()[0]) <= 8, visible))
    left = _leftover(marker)
    findings.append(Finding("no process outlives its notebook", not left,
                            f"left behind: {' '.join(left)}" if left else "none left"))
    forks = int(seen["process cap"])
    findings.append(Finding("process cap", forks < 4096,
                            f"{forks} processes could be started, then fork() was refused"
                            if forks < 4096 else "4096 processes started, no cap"))
    cap_mib = Policy().disk_bytes // 2 ** 20
    sizes = [int(part.rsplit(": ", 1)[1].split()[0]) for part in seen["disk"].split(", ")]
    findings.append(Finding("disk capped", max(sizes) <= cap_mib, seen["disk"]))
    return findings


def table(findings):
    """The findings as aligned text lines."""
    width = max(len(f.what) for f in findings)
    return "\n".join(f"{'ok ' if f.held else 'NO '} {f.what:<{width}}  {f.detail}"
                     for f in findings)


def require():
    """Stop (raise :class:`SandboxError`) unless every wall of the sandbox holds."""
    findings = check()
    broken = [f for f in findings if not f.held]
    if broken:
        raise SandboxError("the sandbox does not hold:\n" + table(broken)
                           + f"\n{INSTALL_HINT}")
    return findings
