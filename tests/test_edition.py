"""Student editions (python -m grading student-edition): contents, leaks, and that they run.

Every edition (one per open assignment, and the self-study edition ``all``) is built once per
test session into a temporary folder (0.1 s each). Its notebooks run with nothing of the
instructor's repository importable: a virtualenv made once per session reuses the installed
third-party packages (a ``.pth`` line naming their site-packages, whose own ``.pth`` files, the
editable install of ``common`` and ``grading`` among them, are therefore not run) and sees the
edition's own ``common`` through ``PYTHONPATH``. Each lecture runs in the edition that first
contains it, each blank release notebook likewise, and so does each assignment solved (the
worked solution, its experiments after the tests included): a lecture or an assignment may use
of ``common`` only what is unlocked while its assignment is open.
"""
import ast
import json
import os
import subprocess
import sys
import sysconfig
import tempfile

import pytest
from nbclient import NotebookClient
from traitlets.config import Config

from common import syllabus
from grading import catalogue, cells, edition, solutions
from grading.__main__ import main
from grading.course import REPO, Course

EDITIONS = [a[:2] for a in syllabus.ASSIGNMENTS] + ["all"]
LECTURES = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
KERNEL = "edition-python"


def first_edition(notebook):
    """The edition that first contains a lecture or assignment: its unit's (12: ``all``)."""
    number = int(notebook[:2])
    return f"{number:02d}" if number <= len(syllabus.ASSIGNMENTS) else "all"


@pytest.fixture(scope="session")
def inputs():
    return (solutions.source_units(REPO / "source", syllabus.ASSIGNMENTS),
            {a: catalogue.load(a) for a in syllabus.ASSIGNMENTS})


@pytest.fixture(scope="session")
def editions(tmp_path_factory, inputs):
    """``editions(label)`` -> (Edition, Report), built with worked solutions once per session."""
    made = {}
    units, entries = inputs

    def get(label):
        if label not in made:
            root = tmp_path_factory.mktemp("edition") / label
            built = edition.build(root, open_assignment=edition.resolve_open(label),
                                  with_solutions=True)
            made[label] = built, edition.check(root, built.open_assignment, units=units,
                                               catalogue_entries=entries)
        return made[label]

    return get


@pytest.fixture(scope="session")
def isolated(tmp_path_factory):
    """A virtualenv with the installed third-party packages but no ``common`` or ``grading``,
    and a kernel spec for it; made offline, once per session. Returns its python and the
    folder to put on JUPYTER_PATH."""
    root = tmp_path_factory.mktemp("isolated")
    base = getattr(sys, "_base_executable", sys.executable)
    subprocess.run([base, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    python = root / "venv" / "bin" / "python"
    venv_site = next((root / "venv" / "lib").glob("python3*/site-packages"))
    (venv_site / "course_third_party.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    spec = root / "jupyter" / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "edition", "language": "python"}))
    return python, root / "jupyter"


def edition_env(edition_root, jupyter_path=None):
    """The environment of a process that must see only the edition's ``common``."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "NBGRADER_EXECUTION")}
    env.update(PYTHONPATH=str(edition_root), MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")
    if jupyter_path is not None:
        env["JUPYTER_PATH"] = str(jupyter_path)
    return env


# The backend a student's JupyterLab kernel draws with: figures become PNG outputs (which the
# lecture runs check for alt text); Agg, the tests' default, would leave no image to check.
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"


def run_notebook(path, edition_root, isolated, monkeypatch, *, allow_errors=False,
                 backend="Agg"):
    """Execute a notebook of an edition in the isolated interpreter with the matplotlib
    ``backend``; returns the notebook."""
    _, jupyter_path = isolated
    for key, value in edition_env(edition_root, jupyter_path).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("MPLBACKEND", backend)
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    nb = cells.read(path)
    # IPC, not TCP: a TCP port chosen free can be taken by a parallel test's kernel before
    # this one binds it ("Kernel died before replying to kernel_info", seen in CI); the
    # sockets get an absolute path of their own (the kernel runs in the notebook's folder)
    with tempfile.TemporaryDirectory(prefix="dl2-kernel-") as sockets:
        ipc = Config({"KernelManager": {"transport": "ipc", "ip": os.path.join(sockets, "k")}})
        NotebookClient(nb, timeout=600, kernel_name=KERNEL, allow_errors=allow_errors,
                       resources={"metadata": {"path": str(path.parent)}}, config=ipc).execute()
    return nb


def errors(nb):
    return [(index, out.get("ename"), out.get("evalue", "")) for index, cell in enumerate(nb.cells)
            if cell.cell_type == "code" for out in cell.get("outputs", [])
            if out.get("output_type") == "error"]


# ------------------------------------------------------------------------------ contents
@pytest.mark.parametrize("label", EDITIONS)
def test_edition_holds_what_students_may_see_and_nothing_else(label, editions):
    built, _ = editions(label)
    now = 99 if label == "all" else int(label)
    top = {p.name for p in built.root.iterdir()}
    assert top <= edition.TOP_LEVEL, f"not part of an edition: {top - edition.TOP_LEVEL}"
    assert {"README.md", "requirements.txt", "pyproject.toml", "Makefile", "nbgrader_config.py",
            "common", "notebooks", "assignments"} <= top
    assert sorted(p.name for p in (built.root / "notebooks").iterdir()) == \
        [n for n in LECTURES if int(n[:2]) <= now]
    assert sorted(p.name for p in (built.root / "assignments").iterdir()) == \
        [a for a in syllabus.ASSIGNMENTS if syllabus.assignment_number(a) <= now]
    solved = sorted(p.name for p in (built.root / "solutions").iterdir()) \
        if (built.root / "solutions").exists() else []
    assert solved == [a for a in syllabus.ASSIGNMENTS if syllabus.assignment_number(a) < now]
    names = {p.name for p in built.root.rglob("*")}
    assert not names & {"source", "tests", "catalogue", "gradebook.db", "grading_quality.md",
                        ".grading", "release"}
    # of the grading package, only the student's Validate and what it imports
    assert sorted(p.name for p in (built.root / edition.TOOLS).iterdir()) == sorted(
        ["__init__.py", edition.LAB_EXTENSIONS] + [f"{m}.py" for m in edition.tool_modules()])
    plugin = built.root / edition.TOOLS / edition.LAB_EXTENSIONS / "dl2-submit-check"
    assert (plugin / "package.json").is_file() and list((plugin / "static").glob("remoteEntry.*.js"))
    assert not {"catalogue.py", "course.py", "classroom.py", "sandbox.py"} & {
        p.name for p in (built.root / edition.TOOLS).iterdir()}
    requirements = (built.root / "requirements.txt").read_text()
    assert "nbgrader==" in requirements and "pytest==" not in requirements
    config = (built.root / "nbgrader_config.py").read_text()
    assert "grading" not in config.replace("nbgrader", "")
    readme = (built.root / "README.md").read_text()
    assert ("every assignment has closed" if label == "all"
            else f"assignment {built.open_assignment} is open") in readme


@pytest.mark.parametrize("label", EDITIONS)
def test_no_solution_hidden_test_or_catalogue_text_in_the_edition(label, editions):
    _, report = editions(label)
    assert report.clean, "\n".join(report.lines())


@pytest.mark.parametrize("label", EDITIONS)
def test_withheld_objects_are_stubs_and_the_rest_is_the_course_package(label, editions):
    built, _ = editions(label)
    open_assignment = built.open_assignment
    assert set(built.withheld) == set(syllabus.withheld(open_assignment))
    for path in (REPO / "common").glob("*.py"):
        text = (built.root / "common" / path.name).read_text()
        mine = [t for t in built.withheld if t.startswith(f"common.{path.stem}:")]
        if not mine:
            assert text == path.read_text(), f"{path.name} changed although nothing is withheld"
        for target in mine:
            assert built.withheld[target] in text


def test_the_edition_common_raises_the_unlock_message(editions, isolated, tmp_path):
    built, _ = editions("08")
    python, _ = isolated
    script = tmp_path / "use_bn.py"
    script.write_text("import numpy as np\nfrom common.layers import BatchNormalization, Affine\n"
                      "Affine(np.ones((2, 2)), np.zeros(2))\n"
                      "BatchNormalization(np.ones(2), np.zeros(2))\n")
    proc = subprocess.run([str(python), str(script)], cwd=tmp_path, capture_output=True,
                          text=True, env=edition_env(built.root))
    assert proc.returncode == 1
    assert ("common.syllabus.LockedError: `BatchNormalization` is what you write in assignment "
            "08_batch_norm; it is unlocked in the course package once that assignment has "
            "closed.") in proc.stderr
    assert str(built.root / "common" / "layers.py") in proc.stderr  # not the repository's


def test_the_isolated_interpreter_has_no_course_package(isolated, tmp_path):
    python, _ = isolated
    script = tmp_path / "probe.py"
    script.write_text("import importlib.util\n"
                      "print([m for m in ('common', 'grading', 'numpy', 'nbgrader')"
                      " if importlib.util.find_spec(m)])\n")
    out = subprocess.run([str(python), str(script)], cwd=tmp_path, capture_output=True, text=True,
                         env=edition_env(tmp_path)).stdout
    assert out.strip() == "['numpy', 'nbgrader']"


def test_worked_solutions_keep_the_answers_and_drop_the_hidden_tests(editions):
    built, _ = editions("all")
    for assignment in syllabus.ASSIGNMENTS:
        nb = cells.read(built.root / "solutions" / assignment / f"{assignment}.ipynb")
        text = "\n".join(c.source for c in nb.cells)
        assert cells.HIDDEN_BEGIN not in text and cells.SOLUTION_BEGIN not in text
        answers = "\n".join(c.source for c in nb.cells if cells.is_answer(c))
        assert "raise NotImplementedError" not in answers, assignment
        source = cells.read(REPO / "source" / assignment / f"{assignment}.ipynb")
        assert [cells.grade_id(c) for c in nb.cells] == [cells.grade_id(c) for c in source.cells]


def test_command_line_builds_checks_and_commits_successive_editions(tmp_path, capsys):
    repo = tmp_path / "student-repo"
    for week in ("01", "02", "02"):
        main(["student-edition", str(repo), "--open", week, "--git"])
    log = subprocess.run(["git", "log", "--format=%s"], cwd=repo, capture_output=True,
                         text=True).stdout.splitlines()
    assert log == ["Edition: assignment 02_two_layer_nets open",
                   "Edition: assignment 01_autodiff open"]  # the repeated week adds nothing
    assert (repo / "assignments" / "02_two_layer_nets").is_dir()
    out = capsys.readouterr().out
    assert "edition 02: 2 lectures, 2 assignments, 0 worked solutions" in out
    main(["student-edition", str(tmp_path / "folder"), "--open", "all", "--solutions"])
    assert (tmp_path / "folder" / "solutions" / "11_regularization").is_dir()
    with pytest.raises(SystemExit, match="no such assignment"):
        main(["student-edition", str(tmp_path / "x"), "--open", "13"])
    with pytest.raises(SystemExit, match="no git repository"):
        main(["student-edition", str(tmp_path / "folder"), "--open", "03", "--git"])
    assert (tmp_path / "folder" / "solutions").is_dir()  # left as it was


def test_a_leaking_edition_is_reported(tmp_path, inputs):
    units, entries = inputs
    built = edition.build(tmp_path / "e", open_assignment="08_batch_norm")
    leaked = REPO / "common" / "layers.py"  # the instructor's, with BatchNormalization in it
    (built.root / "common" / "layers_copy.py").write_text(leaked.read_text())
    (built.root / "notes.txt").write_text("hello")
    report = edition.check(built.root, "08_batch_norm", units=units, catalogue_entries=entries)
    assert not report.clean
    assert report.extra_files == ["notes.txt"]
    assert [(f.name, f.where) for f in report.solution_leaks] == [
        ("BatchNormalization", "common/layers_copy.py")]


# ------------------------------------------------------------------- running the editions
@pytest.mark.slow
@pytest.mark.parametrize("lecture", LECTURES)
def test_lecture_runs_in_its_own_edition(lecture, editions, isolated, monkeypatch):
    built, _ = editions(first_edition(lecture))
    nb = run_notebook(built.root / "notebooks" / lecture, built.root, isolated, monkeypatch,
                      backend=INLINE_BACKEND)
    assert not errors(nb)
    figures = [out for cell in nb.cells if cell.cell_type == "code"
               for out in cell.get("outputs", []) if "image/png" in out.get("data", {})]
    assert figures, "the lecture drew no figure as a student's JupyterLab would see it"
    unlabelled = [index for index, cell in enumerate(nb.cells) if cell.cell_type == "code"
                  for out in cell.get("outputs", []) if "image/png" in out.get("data", {})
                  and not out.get("metadata", {}).get("image/png", {}).get("alt")]
    assert not unlabelled, (f"figures without alt text in cells {unlabelled}: show them with "
                            "common.plotting.show(fig, alt=...)")


@pytest.mark.slow
@pytest.mark.parametrize("assignment", syllabus.ASSIGNMENTS)
def test_solved_assignment_runs_in_its_own_edition(assignment, editions, isolated, monkeypatch,
                                                   tmp_path):
    built, _ = editions(first_edition(assignment))
    solved = solutions.worked_solution(cells.read(REPO / "source" / assignment /
                                                  f"{assignment}.ipynb"))
    path = cells.write(solved, tmp_path / f"{assignment}.ipynb")
    nb = run_notebook(path, built.root, isolated, monkeypatch)
    assert not errors(nb)


@pytest.mark.slow
@pytest.mark.parametrize("assignment", syllabus.ASSIGNMENTS)
def test_blank_assignment_fails_only_on_not_implemented(assignment, editions, isolated,
                                                        monkeypatch):
    built, _ = editions(first_edition(assignment))
    path = built.root / "assignments" / assignment / f"{assignment}.ipynb"
    nb = run_notebook(path, built.root, isolated, monkeypatch, allow_errors=True)
    found = errors(nb)
    assert found, "a blank assignment must fail its tests"
    # An answer cell that raises NotImplementedError leaves its names undefined: a test cell that
    # reads one fails with NameError, and only for those names.
    answers = answer_names(assignment)
    others = [e for e in found if e[1] != "NotImplementedError"
              and not (e[1] == "NameError" and e[2].split("'")[1:2] and e[2].split("'")[1] in answers)]
    assert not others, f"errors other than NotImplementedError: {others}"


def answer_names(assignment):
    """Every name an answer cell of the instructor notebook defines (classes, functions, variables)."""
    nb = cells.read(REPO / "source" / assignment / f"{assignment}.ipynb")
    names = set()
    for cell in nb.cells:
        if cell.cell_type == "code" and cells.is_answer(cell):
            for node in ast.walk(ast.parse(cell.source)):
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    names.add(node.id)
    return names


@pytest.mark.slow
def test_nbgrader_validate_works_in_an_edition(editions, isolated):
    built, _ = editions("04")
    python, jupyter_path = isolated
    blank = built.root / "assignments" / "04_layer_classes" / "04_layer_classes.ipynb"
    proc = subprocess.run([str(python), "-m", "nbgrader", "validate", str(blank)],
                          cwd=built.root, capture_output=True, text=True,
                          env=edition_env(built.root, jupyter_path), timeout=600)
    out = proc.stdout + proc.stderr
    assert "VALIDATION FAILED" in out and "NotImplementedError" in out, out[-2000:]
    solved = built.root / "solutions" / "03_year_prediction" / "03_year_prediction.ipynb"
    proc = subprocess.run([str(python), "-m", "nbgrader", "validate", str(solved)],
                          cwd=built.root, capture_output=True, text=True,
                          env=edition_env(built.root, jupyter_path), timeout=600)
    assert "Success! Your notebook passes all the tests." in proc.stdout, proc.stdout[-2000:]


def test_the_tools_are_found_by_reading_their_imports(tmp_path):
    (tmp_path / "entry.py").write_text("from grading import helper\n")
    (tmp_path / "helper.py").write_text("def f():\n    from grading.deep import g\n")
    (tmp_path / "deep.py").write_text("import os\n")
    (tmp_path / "unused.py").write_text("")
    assert edition.tool_modules(("entry",), package=tmp_path) == ["deep", "entry", "helper"]
    assert {"validate_server", "validate_run", "validate_report"} <= set(edition.tool_modules())


@pytest.mark.slow
def test_the_course_validate_works_in_an_edition(editions, isolated, tmp_path):
    built, _ = editions("05")
    python, jupyter_path = isolated
    env = edition_env(built.root, jupyter_path)
    # what make setup runs: the course's Validate replaces nbgrader's in the environment
    proc = subprocess.run([str(python), "-m", "grading.validate_server", "--prefix",
                           str(tmp_path / "env")], cwd=built.root, capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    configs = sorted(p.name for p in (tmp_path / "env" / "etc").rglob("*.json"))
    assert configs == ["grading.validate_server.json",
                       "nbgrader.server_extensions.validate_assignment.json"], configs
    plugin = tmp_path / "env" / "share" / "jupyter" / "labextensions" / "dl2-submit-check"
    assert (plugin / "package.json").is_file(), sorted((tmp_path / "env").rglob("*"))
    # what the Validate button runs, with only the edition importable
    blank = built.root / "assignments" / "05_multilayer_nets" / "05_multilayer_nets.ipynb"
    proc = subprocess.run([str(python), "-m", "grading.validate_run", "--json", str(blank)],
                          cwd=built.root, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 1, proc.stdout[-2000:] + proc.stderr[-2000:]
    document = json.loads(proc.stdout.strip().splitlines()[-1])
    assert document["value"]["failed"] and "NotImplementedError" in json.dumps(document)
    solved = built.root / "solutions" / "04_layer_classes" / "04_layer_classes.ipynb"
    proc = subprocess.run([str(python), "-m", "grading.validate_run", "--json", str(solved)],
                          cwd=built.root, capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    document = json.loads(proc.stdout.strip().splitlines()[-1])
    assert document == {"success": True, "value": {}}, document


@pytest.mark.slow
def test_the_lab_of_an_edition_serves_the_course_validate(editions, isolated, tmp_path):
    """What ``make lab`` starts, after ``make setup`` enabled the course's Validate in the
    environment: a Jupyter server of the edition whose Validate button runs the course's
    report (here the isolated interpreter's environment plays ``.venv``)."""
    from test_validate_server import Server

    built, _ = editions("04")
    python, jupyter_path = isolated
    env = edition_env(built.root, jupyter_path)
    subprocess.run([str(python), "-m", "grading.validate_server"], cwd=built.root, env=env,
                   check=True, capture_output=True, timeout=120)
    server = Server(built.root, tmp_path, python=python, app=("jupyterlab",), env=env)
    try:
        reply = server.request("assignments/validate", data=json.dumps(
            {"path": "assignments/04_layer_classes/04_layer_classes.ipynb"}).encode(),
            timeout=600)
    finally:
        server.stop()
    assert reply["success"], reply
    failed = json.dumps(reply["value"]["failed"])
    assert "test cells failed" in failed and "NotImplementedError" in failed, failed[:2000]


@pytest.mark.slow
@pytest.mark.xdist_group("edition-autograde")
def test_self_study_solutions_get_full_points(editions, tmp_path):
    built, _ = editions("all")
    course = Course.create(tmp_path / "course", syllabus.ASSIGNMENTS)
    for assignment in syllabus.ASSIGNMENTS:
        course.generate_release(assignment)
        name = f"{assignment}.ipynb"
        course.submit("self-study", assignment,
                      {name: cells.read(built.root / "solutions" / assignment / name)})
        course.autograde(assignment, student="self-study")
    rows = course.grades()
    assert {r["assignment"] for r in rows} == set(syllabus.ASSIGNMENTS)
    lost = [(r["assignment"], r["test"]) for r in rows if r["score"] < r["max_score"]]
    assert not lost, f"worked solutions lost points on {lost}"
