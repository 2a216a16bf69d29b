"""Student editions of the course: what students may see while one assignment is open.

``python -m grading student-edition OUT --open 08`` writes, into ``OUT``, a self-contained
repository for students at the moment assignment 08 is open:

* ``notebooks/``: the lectures of units 1..8 (every lecture, the capstone included, once all
  assignments have closed: ``--open all``);
* ``assignments/<a>/``: the released (student) notebooks of assignments 01..08;
* ``solutions/<a>/`` (with ``--solutions``): worked solutions of the closed assignments
  01..07, made from ``source/`` with the hidden tests removed;
* ``common/``: the course package, in which every object that answers an assignment that is
  open or still to come (:func:`common.syllabus.withheld`) is replaced by a stub raising
  :class:`common.syllabus.LockedError`;
* ``grading/``: the student's *Validate* only, the server extension
  :mod:`grading.validate_server` and the modules it imports (:func:`tool_modules`), so that
  JupyterLab's Validate button runs off the server's event loop with the course's time limit
  and report, as in the instructor's repository, and the prebuilt JupyterLab plugin it
  installs (``grading/labextensions/``: *Submit* runs Validate first and confirms);
* its own ``README.md``, ``requirements.txt``, ``pyproject.toml``, ``Makefile``,
  ``nbgrader_config.py`` and ``.gitignore`` (from ``grading/edition_files/``).

Nothing else: no ``source/``, hidden tests, catalogues, other grading code, gradebooks or
quality report. :func:`check` then compares the edition with what it must not contain
(:mod:`grading.leaks`). With ``--git`` the edition becomes the next commit of the student
repository ``OUT``.
"""
import ast
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from common import syllabus
from grading import cells, leaks, solutions
from grading.course import REPO

# A catalogue entry's name shorter than this is too common a phrase to look for.
CATALOGUE_NAME_CHARS = 30
FILES = Path(__file__).resolve().parent / "edition_files"
TOOLS = "grading"                  # the package name of the student's tools in an edition
TOOLS_ENTRY = ("validate_server",)  # what students run; tool_modules() adds what it imports
LAB_EXTENSIONS = "labextensions"     # the tools' prebuilt JupyterLab plugins, shipped as they are
TOP_LEVEL = frozenset({"README.md", "requirements.txt", "pyproject.toml", "Makefile",
                       "nbgrader_config.py", ".gitignore", "common", "notebooks", "assignments",
                       "solutions", TOOLS})
# Packages of requirements.txt that only the instructor's tools need (tests, browser tests,
# linting); a student edition installs the rest.
INSTRUCTOR_ONLY = frozenset({"playwright", "greenlet", "pytest", "pytest-xdist", "execnet",
                             "iniconfig", "pluggy", "ruff"})


@dataclass(frozen=True)
class Edition:
    """A student edition written to ``root``.

    Attributes
    ----------
    root : Path
    open_assignment : str or None
        The assignment open in this edition; None for the self-study edition (all closed).
    lectures, assignments, solutions : list of str
        File names of the lectures, names of the released and of the solved assignments.
    withheld : dict
        ``{"common.module:qualname": message}`` of the stubs.
    """

    root: Path
    open_assignment: str | None
    lectures: list = field(default_factory=list)
    assignments: list = field(default_factory=list)
    solutions: list = field(default_factory=list)
    withheld: dict = field(default_factory=dict)

    @property
    def label(self):
        return "all" if self.open_assignment is None else self.open_assignment[:2]


def resolve_open(text, assignments=syllabus.ASSIGNMENTS):
    """The assignment named by ``--open`` (``"08"``, ``"8"`` or ``"08_batch_norm"``); None for ``"all"``."""
    if text == "all":
        return None
    for name in assignments:
        if text == name or (text.isdigit() and int(text) == syllabus.assignment_number(name)):
            return name
    raise ValueError(f"--open {text!r}: no such assignment; use a number 1-{len(assignments)}, "
                     "an assignment name or 'all'.")


def _stub(node, message, indent=""):
    """Source lines of a stub that replaces a class or function definition."""
    doc = f'{indent}    """Withheld in this edition of the course: see the assignment."""'
    mark = f"{syllabus.WITHHELD} = True"  # what syllabus.is_withheld looks for
    if isinstance(node, ast.ClassDef):
        return [f"{indent}class {node.name}:", doc, f"{indent}    {mark}", "",
                f"{indent}    def __init__(self, *args, **kwargs):",
                f"{indent}        raise LockedError({message!r})"]
    return [f"{indent}def {node.name}(*args, **kwargs):", doc,
            f"{indent}    raise LockedError({message!r})", "", "",
            f"{indent}{node.name}.{mark}"]


def stub_module(text, names):
    """A module's source with the named top-level definitions replaced by stubs.

    Parameters
    ----------
    text : str
        The module's source.
    names : dict
        ``{qualname: message}``; each qualname is a top-level class or function of the module.

    Returns
    -------
    str
        The new source; it imports :class:`common.syllabus.LockedError` after its last
        top-level import.
    """
    if not names:
        return text
    tree = ast.parse(text)
    lines = text.splitlines()
    found = {node.name: node for node in tree.body
             if isinstance(node, (ast.FunctionDef, ast.ClassDef)) and node.name in names}
    missing = set(names) - set(found)
    if missing:
        raise ValueError(f"no top-level definition of {sorted(missing)} to withhold")
    for node in sorted(found.values(), key=lambda n: n.lineno, reverse=True):
        start = min([node.lineno] + [d.lineno for d in node.decorator_list]) - 1
        lines[start:node.end_lineno] = _stub(node, names[node.name])
    imports = [node for node in tree.body if isinstance(node, (ast.Import, ast.ImportFrom))]
    after = imports[-1].end_lineno if imports else (tree.body[0].end_lineno if tree.body else 0)
    # definitions only shrink, and every one of them comes after the imports
    lines[after:after] = ["from common.syllabus import LockedError"]
    return "\n".join(lines) + "\n"


def _withheld_by_module(open_assignment):
    """``{module: {qualname: message}}`` of the objects withheld while an assignment is open."""
    out = {}
    for target, rows in syllabus.withheld(open_assignment).items():
        module, qualname = target.split(":")
        out.setdefault(module, {})[qualname] = syllabus.locked_message(qualname, rows)
    return out


def tool_modules(entry=TOOLS_ENTRY, package=Path(__file__).resolve().parent):
    """The modules of ``grading`` an edition ships: ``entry`` and every module of the package
    that they import, directly or through one another (read from their ``import`` statements,
    those inside functions included).

    Returns
    -------
    list of str
        Module names without the package, sorted, e.g. ``["cells", "limits", ...]``.
    """
    todo, found = list(entry), set()
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        for node in ast.walk(ast.parse((package / f"{name}.py").read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == TOOLS and not node.level:
                todo += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(TOOLS + "."):
                todo.append(node.module.split(".")[1])
            elif isinstance(node, ast.Import):
                todo += [alias.name.split(".")[1] for alias in node.names
                         if alias.name.startswith(TOOLS + ".")]
    return sorted(found)


def _requirements(repo):
    kept = []
    for line in (repo / "requirements.txt").read_text().splitlines():
        name = line.split("==")[0].strip().lower()
        if line.startswith("#") or not line.strip() or name not in INSTRUCTOR_ONLY:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _contents(edition):
    if edition.open_assignment is None:
        state = "every assignment has closed (the self-study edition)"
    else:
        state = f"assignment {edition.open_assignment} is open"
    rows = [f"This edition: {state}.", "",
            "- lectures (`notebooks/`): " + (", ".join(edition.lectures) or "none"),
            "- assignments (`assignments/`): " + (", ".join(edition.assignments) or "none"),
            "- worked solutions of closed assignments (`solutions/`, released after the "
            "deadline): " + (", ".join(edition.solutions) or "none")]
    if edition.withheld:
        rows.append("- still to write, so not yet in `common`: "
                    + ", ".join(f"`{t.split(':')[1]}`" for t in edition.withheld))
    return "\n".join(rows)


def build(out, *, open_assignment, with_solutions=False, repo=REPO):
    """Write the student edition for the moment ``open_assignment`` is open into ``out``.

    Parameters
    ----------
    out : path
        A folder that does not exist yet or is empty.
    open_assignment : str or None
        An assignment name; None for the self-study edition (every assignment closed).
    with_solutions : bool
        Add worked solutions of the closed assignments (hidden tests removed).
    repo : Path
        The instructor's repository (``source/``, ``release/``, ``notebooks/``, ``common/``).

    Returns
    -------
    Edition
    """
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty; a student edition is written into a new folder.")
    out.mkdir(parents=True, exist_ok=True)
    now = 99 if open_assignment is None else syllabus.assignment_number(open_assignment)
    names = [a for a in syllabus.ASSIGNMENTS if syllabus.assignment_number(a) <= now]
    closed = [a for a in names if syllabus.assignment_number(a) < now]

    stubs = _withheld_by_module(open_assignment)
    (out / "common").mkdir()
    for path in sorted((repo / "common").glob("*.py")):
        text = stub_module(path.read_text(), stubs.get(f"common.{path.stem}", {}))
        (out / "common" / path.name).write_text(text)

    lectures = []
    (out / "notebooks").mkdir()
    for path in sorted((repo / "notebooks").glob("*.ipynb")):
        if int(path.name[:2]) <= now:
            shutil.copy2(path, out / "notebooks" / path.name)
            lectures.append(path.name)
    for name in names:
        shutil.copytree(repo / "release" / name, out / "assignments" / name,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    solved = closed if with_solutions else []
    for name in solved:
        nb = solutions.worked_solution(cells.read(repo / "source" / name / f"{name}.ipynb"))
        cells.write(nb, out / "solutions" / name / f"{name}.ipynb")

    (out / TOOLS).mkdir()
    for name in tool_modules(package=repo / TOOLS):
        shutil.copy2(repo / TOOLS / f"{name}.py", out / TOOLS / f"{name}.py")
    # the prebuilt JupyterLab plugin that validate_server installs (Submit checks first)
    shutil.copytree(repo / TOOLS / LAB_EXTENSIONS, out / TOOLS / LAB_EXTENSIONS)
    for template, dest in (("Makefile", "Makefile"), ("nbgrader_config.py", "nbgrader_config.py"),
                           ("pyproject.toml", "pyproject.toml"), ("gitignore", ".gitignore"),
                           ("tools_init.py", f"{TOOLS}/__init__.py")):
        shutil.copy2(FILES / template, out / dest)
    (out / "requirements.txt").write_text(_requirements(repo))
    edition = Edition(out, open_assignment, lectures, names, solved,
                      {f"{m}:{q}": msg for m, qs in stubs.items() for q, msg in qs.items()})
    title = ("Self-study edition: every assignment and its worked solution."
             if open_assignment is None else
             f"Student edition of the week assignment {open_assignment} is open.")
    (out / "README.md").write_text((FILES / "README.md").read_text().format(
        edition=title, contents=_contents(edition)))
    return edition


@dataclass
class Report:
    """What :func:`check` found in an edition; ``clean`` when nothing."""

    solution_leaks: list = field(default_factory=list)    # leaks.Finding
    public_repeats: list = field(default_factory=list)    # (unit, the public unit it repeats)
    too_short: list = field(default_factory=list)         # units too short to compare
    hidden_tests: list = field(default_factory=list)      # (assignment, where)
    catalogue: list = field(default_factory=list)         # (assignment, entry name, where)
    extra_files: list = field(default_factory=list)       # top-level names not allowed

    @property
    def clean(self):
        return not (self.solution_leaks or self.hidden_tests or self.catalogue
                    or self.extra_files)

    def lines(self):
        out = [f"leak: {f}" for f in self.solution_leaks]
        out += [f"hidden test of {a}: {w}" for a, w in self.hidden_tests]
        out += [f"catalogue entry of {a} ({n!r}): {w}" for a, n, w in self.catalogue]
        out += [f"not part of an edition: {name}" for name in self.extra_files]
        out += [f"public already: {u.assignment} {u.name} repeats {p.assignment} {p.name}"
                for u, p in self.public_repeats]
        out += [f"too short to compare: {u.assignment} {u.name}" for u in self.too_short]
        return out


def _is_public_unit(unit, open_assignment, rows):
    if open_assignment is None:
        return True
    row = rows.get((unit.assignment, unit.name))
    if row is not None:
        return syllabus.is_public(row, open_assignment)
    return syllabus.assignment_number(unit.assignment) < syllabus.assignment_number(open_assignment)


def _flat(text):
    return " ".join(text.split())


def _texts(root):
    """``{relative path: text with whitespace runs made one space}`` of every file of a folder;
    a notebook's text is its cells' sources and text outputs, one after the other."""
    texts = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or ".git" in path.relative_to(root).parts:
            continue
        if path.suffix == ".ipynb":
            nb = cells.read(path)
            parts = [cell.source for cell in nb.cells]
            parts += [str(out.get("text", "")) for cell in nb.cells
                      for out in cell.get("outputs", [])]
            text = "\n".join(parts)
        else:
            text = path.read_text(errors="replace")
        texts[str(path.relative_to(root))] = _flat(text)
    return texts


def check(root, open_assignment, *, repo=REPO, units=None, catalogue_entries=None):
    """Compare an edition with the solutions, hidden tests and catalogues it must not contain.

    Parameters
    ----------
    root : path
        The edition's folder.
    open_assignment : str or None
        As for :func:`build`.
    repo : Path
        The instructor's repository.
    units : dict, optional
        ``{assignment: [SolutionUnit]}`` of ``repo/source`` (computed when not given).
    catalogue_entries : dict, optional
        ``{assignment: [catalogue.Entry]}`` (loaded from ``tests/catalogue`` when not given).

    Returns
    -------
    Report
    """
    root = Path(root)
    report = Report(extra_files=sorted(p.name for p in root.iterdir()
                                       if p.name not in TOP_LEVEL and p.name != ".git"))
    if units is None:
        units = solutions.source_units(repo / "source", syllabus.ASSIGNMENTS)
    rows = {(row.assignment, row.name): row for row in syllabus.GRADED}
    every = [unit for group in units.values() for unit in group]
    public = [u for u in every if _is_public_unit(u, open_assignment, rows)]
    locked = [u for u in every if not _is_public_unit(u, open_assignment, rows)]
    public_docs = [(u, leaks.Document(u.name, "\n".join(u.regions))) for u in public]
    checked = []
    for unit in locked:
        unit_runs, size = leaks.unit_runs(unit)
        if size < leaks.MIN_TOKENS:
            report.too_short.append(unit)
            continue
        twin = next((p for p, doc in public_docs
                     if leaks.overlap(unit_runs, doc) >= leaks.THRESHOLD), None)
        if twin is not None:
            report.public_repeats.append((unit, twin))
        else:
            checked.append(unit)
    docs = leaks.documents(root)
    report.solution_leaks = leaks.find(checked, docs)

    texts = _texts(root)
    for assignment in syllabus.ASSIGNMENTS:
        nb = cells.read(repo / "source" / assignment / f"{assignment}.ipynb")
        for hidden in solutions.hidden_test_texts(nb):
            flat = _flat(hidden)
            report.hidden_tests += [(assignment, where) for where, text in texts.items()
                                    if flat and flat in text]
    if catalogue_entries is None:
        from grading import catalogue
        catalogue_entries = {a: catalogue.load(a) for a in syllabus.ASSIGNMENTS}
    for assignment, entries in catalogue_entries.items():
        for entry in entries:
            if len(entry.name) < CATALOGUE_NAME_CHARS:
                continue  # "np.where", "central differences": words any notebook may use
            report.catalogue += [(assignment, entry.name, where) for where, text in texts.items()
                                 if _flat(entry.name) in text]
    return report


def publish(edition, repository, *, message=None):
    """Make ``edition`` the next commit of the student git repository ``repository``.

    The repository is created if needed; its work tree is replaced by the edition (``.git``
    kept), and the commit is skipped when nothing changed. A non-empty folder that is not a git
    repository is refused (FileExistsError), never emptied.

    Returns
    -------
    bool
        True if a commit was made.
    """
    repository = Path(repository)
    if repository.exists() and any(repository.iterdir()) and not (repository / ".git").exists():
        raise FileExistsError(f"{repository} is a folder with files but no git repository; "
                              "an edition replaces the work tree of a student repository only.")
    repository.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "GIT_AUTHOR_NAME": "course", "GIT_AUTHOR_EMAIL": "course@localhost",
           "GIT_COMMITTER_NAME": "course", "GIT_COMMITTER_EMAIL": "course@localhost"}

    def git(*args):
        return subprocess.run(["git", *args], cwd=repository, env=env, check=True,
                              capture_output=True, text=True).stdout

    if not (repository / ".git").exists():
        git("init", "--quiet", "--initial-branch=main")
    for entry in repository.iterdir():
        if entry.name != ".git":
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    for entry in edition.root.iterdir():
        dest = repository / entry.name
        shutil.copytree(entry, dest) if entry.is_dir() else shutil.copy2(entry, dest)
    git("add", "--all")
    if not git("status", "--porcelain").strip():
        return False
    title = message or (f"Edition: assignment {edition.open_assignment} open"
                        if edition.open_assignment else "Edition: every assignment closed")
    git("commit", "--quiet", "--message", title)
    return True


def student_edition(out, *, open_text, with_solutions=False, git=False):
    """The ``student-edition`` command: build, check, and write or publish one edition.

    Parameters
    ----------
    out : path
        The edition's folder, or with ``git`` the student repository.
    open_text : str
        The ``--open`` argument (:func:`resolve_open`).
    with_solutions, git : bool

    Returns
    -------
    tuple (Edition, Report)
        The edition (in a scratch folder when ``git``, already copied into ``out``).
    """
    open_assignment = resolve_open(open_text)
    if git:
        with tempfile.TemporaryDirectory() as tmp:
            edition = build(Path(tmp) / "edition", open_assignment=open_assignment,
                            with_solutions=with_solutions)
            report = check(edition.root, open_assignment)
            if report.clean:
                publish(edition, out)
        return edition, report
    edition = build(out, open_assignment=open_assignment, with_solutions=with_solutions)
    return edition, check(edition.root, open_assignment)
