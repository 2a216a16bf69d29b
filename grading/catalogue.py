"""Mutation catalogue: typical wrong answers and correct alternatives, injected into solutions.

A catalogue file ``tests/catalogue/<assignment>.py`` defines two lists of dicts:

* ``WRONG``: ``{"cell", "name", "fails", "replace" | "code"}``: a typical mistake in one answer
  cell; it must lose points on the test cell ``fails``;
* ``CORRECT``: ``{"cell", "name", "replace" | "code"}``: another correct way to write the cell;
  it must get full points.

``replace`` is a list of ``(old, new)`` text edits of the instructor solution (each ``old``
must occur, so the catalogue breaks loudly when the solution changes); ``code`` replaces the
whole cell. A WRONG entry may list ``siblings``: the names of entries that are the same
misconception written another way, which its tests cannot tell apart (the feedback then names
them together, and that counts as named correctly).

Beside the catalogue, :func:`fuzzed` rewrites each solution automatically
(:mod:`grading.fuzz`: other guards, summation orders, ``np.dot`` for ``@``, ...); each such
variant is graded like a correct alternative and must get full points.
"""
import runpy
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

from grading import cells, fuzz, misconceptions
from grading.course import REPO, Course, NbgraderError, RunOptions, repository

CATALOGUE_DIR = REPO / "tests" / "catalogue"


KINDS = ("wrong", "correct", "fuzzed")  # fuzzed: a rewrite of the solution by grading.fuzz


@dataclass
class Entry:
    kind: str            # one of KINDS
    index: int
    cell: str
    name: str
    fails: str = None
    replace: list = field(default_factory=list)
    code: str = None
    siblings: list = field(default_factory=list)  # names of mistakes a test cannot tell apart

    @property
    def student(self):
        return f"{self.kind}-{self.index:02d}"

    def answer(self, solutions):
        """The answer cell's code for this entry, given the solutions ``{grade_id: code}``."""
        if self.cell not in solutions:
            raise KeyError(f"catalogue entry {self.name!r}: no answer cell {self.cell!r}")
        if self.code is not None:
            return textwrap.dedent(self.code).strip("\n")
        text = solutions[self.cell]
        for old, new in self.replace:
            if old not in text:
                raise ValueError(f"catalogue entry {self.name!r}: text {old!r} not found in the "
                                 f"solution of cell {self.cell!r}; update the catalogue.")
            text = text.replace(old, new)
        return text


def catalogue_path(assignment):
    return CATALOGUE_DIR / f"{assignment}.py"


def load(assignment):
    """The entries of an assignment's catalogue (empty when it has none)."""
    path = catalogue_path(assignment)
    if not path.exists():
        return []
    data = runpy.run_path(str(path))
    entries = []
    for kind, key in (("wrong", "WRONG"), ("correct", "CORRECT")):
        for i, spec in enumerate(data.get(key, [])):
            entries.append(Entry(kind=kind, index=i, **spec))
    return entries


def fuzzed(assignment):
    """An entry (kind ``"fuzzed"``) per :mod:`grading.fuzz` variant of every solution cell."""
    repo = repository()
    found = []
    for name in repo.notebook_names(assignment):
        found += fuzz.variants(cells.solution_sources(repo.source_notebook(assignment, name)))
    return [Entry(kind="fuzzed", index=i, cell=v.cell, name=v.name, code=v.code)
            for i, v in enumerate(found)]


def quality_entries(assignment):
    """Everything graded for an assignment's quality: the catalogue and the fuzzed variants."""
    return load(assignment) + fuzzed(assignment)


def submissions(assignment, release_dir, entries):
    """``{student: {notebook name: NotebookNode}}`` for the solution, the blank release and
    every catalogue entry (each entry changes one answer cell of the full solution)."""
    out = {"solution": {}, "blank": {}}
    for e in entries:
        out[e.student] = {}
    repo = repository()
    for name in repo.notebook_names(assignment):
        release_nb = cells.read(Path(release_dir) / name)
        solutions = cells.solution_sources(repo.source_notebook(assignment, name))
        out["blank"][name] = release_nb
        out["solution"][name] = cells.fill_answers(release_nb, solutions)
        for e in entries:
            if e.cell in solutions:
                out[e.student][name] = cells.fill_answers(
                    release_nb, {**solutions, e.cell: e.answer(solutions)})
    return out


def grade(assignment, workdir, jobs=1, entries=None):
    """Autograde the solution, the blank release and ``entries`` (by default every catalogue
    entry and fuzzed variant, :func:`quality_entries`) with nbgrader.

    The submissions are spread over ``jobs`` scratch course folders graded concurrently
    (nbgrader grades one submission at a time per course). Returns ``(entries, rows)`` with
    ``rows`` as from :meth:`grading.course.Course.grades`, each with the ``message`` its test
    cell failed with (``""`` when it passed).
    """
    from concurrent.futures import ThreadPoolExecutor

    entries = quality_entries(assignment) if entries is None else entries
    workdir = Path(workdir)
    courses = [Course.create(workdir / f"course{j}", [assignment]) for j in range(jobs)]
    release = courses[0].generate_release(assignment)
    for course in courses[1:]:
        course.generate_release(assignment)
    students = submissions(assignment, release, entries)
    for i, (student, notebooks) in enumerate(students.items()):
        courses[i % jobs].submit(student, assignment, notebooks)
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda course: autograde_all(course, assignment), courses))
    rows = []
    for course in courses:
        messages = {}  # (student, test cell) -> the failing test's message
        for student in course.submitted_students(assignment):
            for path in sorted(course.autograded(student, assignment).glob("*.ipynb")):
                for test, message in misconceptions.error_messages(cells.read(path)).items():
                    messages[student, test] = message
        rows += [{**row, "message": messages.get((row["student"], row["test"]), "")}
                 for row in course.grades()]
    return entries, rows


def autograde_all(course, assignment, *, sandbox=True):
    """``nbgrader autograde`` every submission of ``assignment`` in ``course``, and once more,
    one at a time, those nbgrader gave up on.

    nbgrader abandons a notebook whose kernel does not start in time or dies, and leaves it with
    zero points; a cell that runs past ``Execute.timeout`` is stopped and its tests fail. On a
    loaded machine either can be transient, so each such submission gets one more run on its
    own; one that really breaks the kernel or loops fails twice and shows in the grades.
    A submission nbgrader cannot grade never hides the others. ``sandbox=False`` runs the
    kernels without the OS sandbox (``GuardedExecute.sandbox``).
    """
    options = None if sandbox else RunOptions(sandbox=False)
    try:
        course.autograde(assignment, options=options)
    except NbgraderError as err:
        print(f"warning: {err}"[:2000])
    for student in not_autograded(course, assignment):
        print(f"warning: nbgrader could not grade {student} or a cell ran out of time; "
              "grading it again on its own")
        try:
            course.autograde(assignment, student=student, options=options)
        except NbgraderError as err:
            print(f"warning: {err}"[:2000])


def not_autograded(course, assignment):
    """Submitted students for whom nbgrader wrote no graded notebook (it removes the folder of
    a submission it failed on), or whose graded notebook has a cell that ran out of time."""
    out = []
    for student in course.submitted_students(assignment):
        graded = course.autograded(student, assignment)
        if not graded.is_dir() or any(_timed_out(p) for p in graded.glob("*.ipynb")):
            out.append(student)
    return out


def _timed_out(path):
    nb = cells.read(path)
    return any(o.get("ename") == "CellTimeoutError"
               for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def outcomes(entries, rows):
    """Per entry: did it behave as the catalogue says? ``[(entry, ok, detail)]``."""
    result = []
    for e in entries:
        mine = [r for r in rows if r["student"] == e.student]
        if not mine:
            result.append((e, False, "not graded: nbgrader failed on this submission"))
            continue
        if e.kind in ("correct", "fuzzed"):
            lost = sorted(r["test"] for r in mine if r["score"] < r["max_score"])
            result.append((e, bool(mine) and not lost,
                           "full points" if mine and not lost else f"lost points on {lost}"))
        else:
            target = [r for r in mine if r["test"] == e.fails]
            caught = bool(target) and target[0]["score"] < target[0]["max_score"]
            result.append((e, caught, f"caught by {e.fails}" if caught
                           else f"NOT caught by {e.fails}"))
    return result


def counts(results):
    """``{kind: (as expected, total)}`` for every kind of entry."""
    return {kind: (sum(ok for e, ok, _ in results if e.kind == kind),
                   sum(e.kind == kind for e, _, _ in results)) for kind in KINDS}


def naming(results, rows):
    """``(named correctly, typical mistakes, [(entry, names) not named correctly])``: what
    the feedback names (grading/misconceptions.py) for each typical mistake, on its target
    test, with the table this very run makes."""
    signatures = misconceptions.table(results, rows)
    named = misconceptions.named(results, rows, signatures)
    wrong = [(e, names) for e, names in named
             if not misconceptions.named_correctly(e, names, e.siblings)]
    return len(named) - len(wrong), len(named), wrong


def summary_row(assignment, results, rows):
    good, total, _ = naming(results, rows)
    return f"| {assignment} | " + " | ".join(
        f"{ok} / {n}" for ok, n in counts(results).values()) + f" | {good} / {total} |"


def catches(results, rows):
    """``{test cell: (points, [names of the mistakes that lose points on it])}``, test cells by
    name and mistakes in catalogue order, whatever order ``rows`` (as from
    :meth:`grading.course.Course.grades`) come in (they depend on how many courses graded).
    A random mistake (:func:`grading.misconceptions.is_random`) is listed on its target test
    only: on the others it may lose points in one run and not in the next."""
    order = {e.student: i for i, (e, _, _) in enumerate(results) if e.kind == "wrong"}
    names = {e.student: e.name for e, _, _ in results}
    only_on = {e.student: e.fails for e, _, _ in results
               if e.kind == "wrong" and misconceptions.is_random(e)}
    points, caught = {}, {}
    for r in rows:
        points[r["test"]] = r["max_score"]
        if only_on.get(r["student"], r["test"]) != r["test"]:
            continue
        if r["student"] in order and r["score"] < r["max_score"]:
            caught.setdefault(r["test"], set()).add(r["student"])
    return {test: (points[test], [names[s] for s in sorted(caught.get(test, ()), key=order.get)])
            for test in sorted(points)}


def report_section(assignment, results, rows):
    """The Markdown section of ``docs/grading_quality.md`` for one assignment: the counts, the
    confusion matrix (what should pass or fail against what did), what each test cell catches,
    and every entry's result."""
    n = counts(results)
    good, total, unnamed = naming(results, rows)
    missed = [e.name for e, ok, _ in results if e.kind == "wrong" and not ok]
    failed = [e.name for e, ok, _ in results if e.kind == "correct" and not ok]
    fuzz_failed = [f"{e.cell}: {e.name}" for e, ok, _ in results if e.kind == "fuzzed" and not ok]
    lines = [f"## {assignment}", "",
             f"- typical mistakes caught: {n['wrong'][0]} / {n['wrong'][1]}",
             f"- correct alternatives with full points: {n['correct'][0]} / {n['correct'][1]}",
             f"- fuzzed variants of the solution with full points: "
             f"{n['fuzzed'][0]} / {n['fuzzed'][1]}",
             f"- not caught: {', '.join(missed) if missed else 'none'}",
             f"- correct alternatives that lost points: {', '.join(failed) if failed else 'none'}",
             f"- fuzzed variants that lost points: "
             f"{', '.join(fuzz_failed) if fuzz_failed else 'none'}",
             f"- typical mistakes named correctly in the feedback: {good} / {total}"
             + (f" ({good / total:.0%})" if total else "")
             + (f"; not counted: {n['wrong'][1] - total} that draw from an unseeded or global "
                "random generator (their messages change from run to run)"
                if n["wrong"][1] > total else ""),
             "- named wrongly, with others or not at all: " + ("; ".join(
                 f"{e.name} -> {' / '.join(names) if names else 'nothing'}"
                 for e, names in unnamed) or "none"), "",
             "| should | lost points | full points |", "| --- | --- | --- |",
             f"| lose points (typical mistakes) | {n['wrong'][0]} | "
             f"{n['wrong'][1] - n['wrong'][0]} |",
             f"| get full points (correct alternatives and fuzzed variants) | "
             f"{n['correct'][1] - n['correct'][0] + n['fuzzed'][1] - n['fuzzed'][0]} | "
             f"{n['correct'][0] + n['fuzzed'][0]} |",
             "", "| test cell | points | typical mistakes it catches |", "| --- | --- | --- |"]
    lines += [f"| `{test}` | {points:g} | {len(names)}: {', '.join(names) if names else '-'} |"
              for test, (points, names) in catches(results, rows).items()]
    lines += ["", "| entry | answer cell | kind | result |", "| --- | --- | --- | --- |"]
    lines += [f"| {e.name} | `{e.cell}` | {e.kind} | {detail} |" for e, _, detail in results]
    return "\n".join(lines) + "\n"


REPORT = REPO / "docs" / "grading_quality.md"
REPORT_HEADER = """# Grading quality

How well the autograder's tests separate right from wrong: every typical mistake and every
correct alternative in `tests/catalogue/<assignment>.py` is injected into the instructor solution
and graded by nbgrader, and so is every variant of the solution that `grading/fuzz.py` writes
(other `eps` guards, summation orders, `np.dot` for `@`, copies, ...: each correct up to
rounding). Targets: every mistake loses points on the test that targets it (at least 95 %),
every correct alternative and every fuzzed variant gets full points. Named correctly: the
feedback of the test a mistake targets names that mistake (alone, or with the siblings its
catalogue entry lists), from the table `grading/misconceptions.py` builds of this run's messages
(`tests/catalogue/signatures/`); target at least 90 %.

Generated by `python -m grading quality`; `tests/test_assignments.py` checks that it is up to
date. Do not edit by hand.

| assignment | typical mistakes caught | correct alternatives passed | fuzzed variants passed | mistakes named correctly |
| --- | --- | --- | --- | --- |
"""


def _sections(text):
    """``{assignment: (summary row, section)}`` of an existing report."""
    out = {}
    for part in text.split("\n## ")[1:]:
        assignment = part.split("\n", 1)[0].strip()
        row = next((line for line in text.splitlines() if line.startswith(f"| {assignment} |")), "")
        out[assignment] = (row, "## " + part.rstrip("\n") + "\n")
    return out


def update_report(graded, path=REPORT):
    """Write the sections of ``graded`` = ``{assignment: (results, rows)}`` into the report at
    ``path``, keeping the other assignments' sections as they are; returns ``path``."""
    kept = _sections(path.read_text()) if path.exists() else {}
    kept.update({a: (summary_row(a, results, rows), report_section(a, results, rows))
                 for a, (results, rows) in graded.items()})
    for a, (results, rows) in graded.items():
        misconceptions.write(a, misconceptions.table(results, rows))
    order = [a for a in repository().assignments() if a in kept]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REPORT_HEADER + "\n".join(kept[a][0] for a in order) + "\n\n"
                    + "\n".join(kept[a][1] for a in order))
    return path
