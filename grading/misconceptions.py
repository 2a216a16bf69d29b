"""Feedback that names the misconception: a failing test's message, matched to a known mistake.

Every typical mistake of the catalogue (``tests/catalogue/<assignment>.py``) is graded by
``python -m grading quality``. The message each test cell then gives it is what that test
computed from the mistaken answer *on the test's own inputs*: a relative error, a ratio, a
hint. Normalized (:func:`signature`: numbers to :data:`DIGITS` significant digits), these
messages form one table per assignment, ``tests/catalogue/signatures/<assignment>.json``:
``{test cell: {signature: [names of the mistakes that give it]}}`` (:func:`table`).

When a student's test cell fails with a message whose signature is in the table, the graded
notebook's error gets one more line naming the mistake (:class:`NameMistakes`, an autograde
preprocessor), which the feedback page shows::

    dW: relative error 1.2e+00 > threshold 1e-07; hint: ...
    This is what a known mistake gives: dW = x @ dout (missing transpose).

Only messages are compared, never code: no catalogue entry or solution enters the student's
kernel, and the table holds only the mistakes' names. A different way of writing the same
mistake computes the same numbers, so it gets the same name.
"""
import json
import re
from pathlib import Path

from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Int, Unicode

from grading import cells
from grading.course import REPO

DIGITS = 2                       # significant digits kept of every number in a message
NAMED = "This is what a known mistake gives: "
SIGNATURES_DIR = REPO / "tests" / "catalogue" / "signatures"
# Failures that say nothing of the answer's mathematics: a blank answer, a cell stopped for time,
# a kernel that died. They name nothing (and would make the tables depend on the machine's load).
NOT_A_MISTAKE = ("NotImplementedError", "CellTimeoutError", "DeadKernelError", "TimeoutError")
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")
# A mistake that draws from NumPy's global generator (or an unseeded one) gives other numbers in
# every run, so its message cannot be recognized: such entries are left out of the tables.
GLOBAL_RNG = re.compile(r"np\.random\.(?!default_rng\(\s*[^\s)])|default_rng\(\s*\)|(?<![\w.])random\.")
# What differs from run to run in a message: object addresses and file paths
VOLATILE = re.compile(r"0x[0-9a-fA-F]+|(?:/[\w.+-]+){2,}")


def _round(match):
    value = float(match.group())
    return "0" if value == 0 else f"{value:.{DIGITS}g}"


def signature(message):
    """``message`` (``"ename: evalue"`` of a failing test cell) without what varies between two
    ways of writing the same mistake or two runs: the naming line of :class:`NameMistakes`,
    whitespace, digits past :data:`DIGITS`, addresses and paths. Empty for a message that
    names nothing (:data:`NOT_A_MISTAKE`)."""
    lines = [line for line in message.splitlines() if not line.startswith(NAMED)]
    text = " ".join(" ".join(lines).split())
    if not text or text.split(":", 1)[0] in NOT_A_MISTAKE:
        return ""
    return NUMBER.sub(_round, VOLATILE.sub("<...>", text))


def error_messages(notebook):
    """``{test cell: "ename: evalue"}`` of every test cell of a graded notebook that failed."""
    out = {}
    for cell in notebook.cells:
        if not cells.is_test(cell):
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                out[cells.grade_id(cell)] = f"{output.get('ename', '')}: {output.get('evalue', '')}"
    return out


def is_random(entry):
    """True for a catalogue entry whose own code draws from an unseeded or global generator."""
    return bool(GLOBAL_RNG.search(entry.code or "\n".join(new for _, new in entry.replace)))


def table(results, rows):
    """``{test cell: {signature: sorted mistake names}}`` from a quality run: ``results`` as
    from :func:`grading.catalogue.outcomes`, ``rows`` with each test cell's ``message``.
    Mistakes that are random (:func:`is_random`) are left out."""
    names = {e.student: e.name for e, _, _ in results if e.kind == "wrong" and not is_random(e)}
    out = {}
    for r in rows:
        key = signature(r.get("message") or "")
        if r["student"] in names and key:
            found = out.setdefault(r["test"], {}).setdefault(key, [])
            if names[r["student"]] not in found:
                found.append(names[r["student"]])
    return {test: {key: sorted(found) for key, found in sorted(by.items())}
            for test, by in sorted(out.items())}


def named(results, rows, signatures):
    """Per typical mistake that is not random (:func:`is_random`): the mistake names a student
    who made it reads on its target test cell (``[]`` when it fails there with no known
    message, or does not fail there). Returns ``[(entry, names)]``."""
    messages = {(r["student"], r["test"]): r.get("message") or "" for r in rows}
    out = []
    for e, _, _ in results:
        if e.kind != "wrong" or is_random(e):
            continue
        key = signature(messages.get((e.student, e.fails), ""))
        out.append((e, signatures.get(e.fails, {}).get(key, []) if key else []))
    return out


def named_correctly(entry, names, siblings=()):
    """True when the student reads this mistake's name, alone or with its siblings only."""
    return entry.name in names and set(names) <= {entry.name, *siblings}


def path(assignment, folder=SIGNATURES_DIR):
    return Path(folder) / f"{assignment}.json"


def load(assignment, folder=SIGNATURES_DIR):
    """The table of an assignment (empty when the quality run has not made one)."""
    file = path(assignment, folder)
    return json.loads(file.read_text()) if file.exists() else {}


def dumps(signatures):
    return json.dumps(signatures, indent=1, ensure_ascii=False, sort_keys=True) + "\n"


def write(assignment, signatures, folder=SIGNATURES_DIR):
    file = path(assignment, folder)
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(dumps(signatures))
    return file


class NameMistakes(NbGraderPreprocessor):
    """Autograde: a failing test cell whose message is a known mistake's gets a line naming it."""

    signatures_dir = Unicode(str(SIGNATURES_DIR), help="Folder of the per-assignment tables "
                             "``<assignment>.json`` made by ``python -m grading quality``."
                             ).tag(config=True)
    max_names = Int(3, help="Name at most this many mistakes (more say too little to help)."
                    ).tag(config=True)

    def preprocess(self, nb, resources):
        assignment = resources.get("nbgrader", {}).get("assignment", "")
        signatures = load(assignment, self.signatures_dir) if assignment else {}
        if not signatures:
            return nb, resources
        for cell in nb.cells:
            if not cells.is_test(cell):
                continue
            known = signatures.get(cells.grade_id(cell), {})
            for output in cell.get("outputs", []):
                if output.get("output_type") != "error":
                    continue
                message = f"{output.get('ename', '')}: {output.get('evalue', '')}"
                names = known.get(signature(message), [])
                if names and len(names) <= self.max_names and NAMED not in message:
                    line = NAMED + "; or ".join(names) + "."
                    output["evalue"] = f"{output.get('evalue', '')}\n{line}"
                    output["traceback"] = list(output.get("traceback", [])) + [line]
        return nb, resources
