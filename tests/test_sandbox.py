"""grading/sandbox.py: what one sandbox holds, and what a process that enters it can reach.

The whole pipeline under attack is tests/test_sandbox_attacks.py; these tests pin the pieces:
the bubblewrap command, a sandbox's life, entering it from a forked process, and the
check-sandbox probe.
"""
import json
import os
import subprocess
import time

import pytest

from grading import sandbox, sandbox_check
from grading.course import REPO

pytestmark = pytest.mark.xdist_group("sandbox")


def test_only_the_system_python_and_course_packages_are_bound():
    bound = sandbox.read_only_paths()
    assert str(REPO / "common") in bound and str(REPO / "grading") in bound
    assert str(REPO) not in bound, "the repository itself (source/, tests/) must stay outside"
    assert not any(p.startswith(str(REPO / "source")) for p in bound)
    assert os.path.expanduser("~") not in bound


def test_the_bundled_data_sets_are_cached_before_the_cache_is_bound_read_only(tmp_path,
                                                                              monkeypatch):
    # a cold cache would make every graded kernel import scikit-learn and print a warning
    # that depends on what else filled the cache, and when
    from common.datasets import BUNDLED_SETS, DATA_DIR_ENV_VAR

    monkeypatch.setenv(DATA_DIR_ENV_VAR, str(tmp_path / "cold"))
    assert str(tmp_path / "cold") in sandbox.read_only_paths()
    cached = sorted(p.name for p in (tmp_path / "cold").glob("sklearn-*.npz"))
    assert len(cached) == len(BUNDLED_SETS), cached
    assert all(any(name in c for c in cached) for name in BUNDLED_SETS), cached


def test_the_command_shares_no_namespace_and_caps_the_writable_folders(tmp_path):
    argv = sandbox.bwrap_argv(cwd=tmp_path, policy=sandbox.Policy(disk_bytes=12345))
    for flag in ("--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc",
                 "--die-with-parent", "--disable-userns"):
        assert flag in argv
    tmpfs = [argv[i + 1] for i, a in enumerate(argv) if a == "--tmpfs"]
    sizes = [argv[i + 1] for i, a in enumerate(argv) if a == "--size"]
    assert {"/tmp", str(tmp_path)} <= set(tmpfs)
    assert sizes.count("12345") == 2
    assert "--bind" not in argv, "nothing of the host is writable inside"


def _entered(tmp_path, spec_update=None):
    """Fork, enter a fresh sandbox whose notebook folder is ``tmp_path``, report what the
    entered process sees (as JSON on a pipe)."""
    tmp_path.mkdir()
    (tmp_path / "mine.txt").write_text("my own file")
    connection = tmp_path.parent / f"{tmp_path.name}-connection.json"
    connection.write_text(json.dumps({"ip": "127.0.0.1", "transport": "tcp"}))
    with sandbox.Sandbox(cwd=tmp_path) as box:
        spec = {**box.environment(), **(spec_update or {})}
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(r)
                inside = sandbox.enter(spec, str(connection))
                seen = {"root": sorted(os.listdir("/")), "cwd": sorted(os.listdir(".")),
                        "connection": json.load(open(inside)),
                        "repo_source": os.path.exists(REPO / "source"),
                        "tmp_parent": os.listdir(tmp_path.parent)}
                os.write(w, json.dumps(seen).encode())
            finally:
                os._exit(0)
        os.close(w)
        data = b""
        while chunk := os.read(r, 65536):
            data += chunk
        os.close(r)
        os.waitpid(pid, 0)
        alive = os.path.exists(f"/proc/{box.pid}")
    return json.loads(data), alive, box


def test_an_entered_process_sees_its_own_folder_and_nothing_of_the_course(tmp_path):
    seen, alive, box = _entered(tmp_path / "student")
    assert seen["cwd"] == ["mine.txt"]
    assert not seen["repo_source"]
    assert seen["tmp_parent"] == ["student"], "no other submission beside its folder"
    assert set(seen["root"]) <= {"bin", "dev", "etc", "ipc", "lib", "lib32", "lib64", "proc", "sbin",
                                 "tmp", "usr", *(p.split("/")[1] for p in sandbox.read_only_paths())}
    assert seen["connection"]["ip"] == f"{sandbox.INSIDE_IPC}/{sandbox.SOCKET_NAME}"


def test_closing_a_sandbox_kills_everything_in_it(tmp_path):
    box = sandbox.Sandbox(cwd=tmp_path).start()
    init = box.pid
    assert os.path.exists(f"/proc/{init}")
    box.close()
    for _ in range(500):  # the PID namespace is torn down asynchronously
        if not os.path.exists(f"/proc/{init}"):
            break
        time.sleep(0.01)
    assert not os.path.exists(f"/proc/{init}"), "the sandbox's init outlived close()"


def test_without_bubblewrap_the_error_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setattr(sandbox, "BWRAP", "bwrap-that-is-not-installed")
    with pytest.raises(sandbox.SandboxError, match="apt-get install bubblewrap"):
        sandbox.Sandbox(cwd=tmp_path).start()


def test_check_sandbox_finds_every_wall_holding():
    findings = sandbox_check.check()
    assert {f.what for f in findings} >= {"another submission", "the solutions (source/)",
                                          "network", "no process outlives its notebook",
                                          "process cap", "own PID namespace"}
    broken = [f for f in findings if not f.held]
    assert not broken, sandbox_check.table(broken)


def test_check_sandbox_command_prints_one_line_per_wall():
    out = subprocess.run([os.sys.executable, "-m", "grading", "check-sandbox"],
                         capture_output=True, text=True, timeout=300, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert "every wall holds" in out.stdout
    assert out.stdout.count("\nok ") + out.stdout.startswith("ok ") >= 8


def test_grade_class_without_bubblewrap_grades_nothing_and_says_what_to_do(tmp_path):
    from grading import simulate

    course = simulate.make_class(tmp_path / "course", ["01_autodiff"], personas=["solution-1"])
    env = {**os.environ, "PATH": str(tmp_path / "no-tools-here")}  # no bwrap on the PATH
    out = subprocess.run([os.sys.executable, "-m", "grading", "grade-class", "--course",
                          str(course.root), "01_autodiff"], capture_output=True, text=True,
                         env=env, cwd=tmp_path, timeout=300)
    assert out.returncode != 0
    assert "nothing was graded" in out.stderr and "apt-get install bubblewrap" in out.stderr
    assert "--no-sandbox" in out.stderr
    assert not course.autograded().exists() or not any(course.autograded().iterdir())
    assert not (course.root / "reports").exists()


def test_grading_without_the_sandbox_says_so_in_the_report_and_every_feedback_page(tmp_path):
    from grading import classroom, simulate
    from grading.limits import Limits

    course = simulate.make_class(tmp_path / "course", ["01_autodiff"],
                                 personas=["solution-1", "blank-1"])
    classroom.grade_class(course, ["01_autodiff"], jobs=2, limits=Limits(sandbox=False),
                          show_progress=False)
    assert "WITHOUT the OS sandbox" in (course.root / "reports" / "report.md").read_text()
    pages = sorted(course.feedback().rglob("*.html"))
    assert len(pages) == 2
    for page in pages:
        assert "WITHOUT the OS sandbox" in page.read_text(), page


def test_a_probe_that_runs_out_of_time_says_the_machine_is_busy_not_what_to_install():
    # the probe fills a 256 MiB tmpfs and starts processes up to the cap: far more than 1 s
    with pytest.raises(sandbox.SandboxError, match="did not finish within 1 s") as info:
        sandbox_check.check(timeout=1)
    assert "install bubblewrap" not in str(info.value)
