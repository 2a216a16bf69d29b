"""The grading package as a maintainer reads it: every module reached by an import, all of it
linted.

How grading works must be visible from the imports: starting from the command line
(``grading/__main__.py``), the course's ``nbgrader_config.py`` and the Jupyter server
extension (``grading/validate_server.py``), every module of
``grading/`` is imported somewhere (a program run in another process is a module started with
``python -m <module>.__name__``, so it is imported by the code that starts it).
"""
import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import grading
from grading.course import REPO

PACKAGE = Path(grading.__file__).parent


def _imports(path):
    """Modules of the grading package that the file at ``path`` imports."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return {name for name in found if name.startswith("grading.")}


def _module_path(name):
    return PACKAGE / (name.split(".", 1)[1].replace(".", "/") + ".py")


def test_every_grading_module_is_reached_by_an_import():
    # roots: the command line, nbgrader's config, the Jupyter server extension that
    # `make` enables in .venv (grading/validate_server.py) and the virtualenv's nbgrader config
    # that `make` installs (grading/one_machine.py)
    roots = {"grading.__main__", "grading.validate_server", "grading.one_machine"}
    reached, todo = set(), roots | _imports(REPO / "nbgrader_config.py")
    while todo:
        name = todo.pop()
        path = _module_path(name)
        if name in reached or not path.exists():
            continue
        reached.add(name)
        todo |= _imports(path)
    modules = {f"grading.{p.stem}" for p in PACKAGE.glob("*.py") if p.stem != "__init__"}
    assert modules - reached == set(), "modules no import leads to"


def test_no_environment_switches_and_no_programs_in_strings():
    for path in PACKAGE.glob("*.py"):
        text = path.read_text()
        assert '"-c"' not in text, f"{path.name} runs a program held in a string"
    config = (REPO / "nbgrader_config.py").read_text()
    assert "os.environ" not in config, "nbgrader_config.py reads the environment"


def test_the_linter_finds_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))
    if ruff is None:
        pytest.fail("ruff is not installed: it is pinned in requirements.txt (make setup)")
    out = subprocess.run([ruff, "check", "--no-cache", "--select", "E9,F", "grading",
                          "nbgrader_config.py"], cwd=REPO, capture_output=True, text=True)
    assert out.returncode == 0, out.stdout[-3000:]
