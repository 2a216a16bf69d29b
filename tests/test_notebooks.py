"""Every lecture and instructor notebook imports the installed ``common`` plainly.

Running them is the job of tests/test_edition.py: each lecture, and each assignment solved,
runs there in the student edition that first contains it, with only that edition importable.
"""
from pathlib import Path

from grading.course import REPO

ALL_NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted((REPO / "source").glob("*/*.ipynb"))


def test_notebooks_import_common_without_path_hacks():
    assert ALL_NOTEBOOKS
    for path in ALL_NOTEBOOKS:
        text = Path(path).read_text()
        assert "sys.path" not in text, f"{path}: no sys.path edits; `common` is installed"
        assert "import *" not in text, f"{path}: no star imports"


LECTURES = sorted((REPO / "notebooks").glob("*.ipynb"))
QUOTE_CHECKS = ("expect(", "expect_between(")


def _cells(path, kind):
    import json

    return [c["source"] for c in json.loads(Path(path).read_text())["cells"] if c["cell_type"] == kind]


def test_every_lecture_checks_the_figures_its_text_quotes():
    # Running the lectures (tests/test_edition.py) makes each check compare text and output.
    assert len(LECTURES) == 12
    for path in LECTURES:
        code = "\n".join(_cells(path, "code"))
        assert "from common.quoted import" in code, f"{path.name}: import expect from common.quoted"
        assert any(call in code for call in QUOTE_CHECKS), (
            f"{path.name}: no figure of the text is checked with expect / expect_between")


# Where the course departs from a formula of the lecture handout, a note says so (issue #20).
HANDOUT_NOTES = {
    "01_autodiff.ipynb": ["§3.3 (4)", "§3.5"],
    "06_optimizers.ipynb": ["Adam's learning rate"],
    "08_batch_norm.ipynb": ["§8.2"],
    "11_regularization.ipynb": ["§9.1"],
}


def test_each_handout_erratum_has_its_note_where_the_formula_is():
    for name, sections in HANDOUT_NOTES.items():
        text = "\n".join(_cells(REPO / "notebooks" / name, "markdown"))
        for section in sections:
            assert f"**A note on the handout ({section}).**" in text, (
                f"{name}: no 'A note on the handout ({section})' box")


# Each lecture of units 6-12 ends with exercises and their worked solutions, folded (issue #21).
EXERCISES_FROM_UNIT = 6
EXERCISE_COUNT = range(3, 6)


def _exercises(path):
    """The markdown cells after the lecture's last '## N. Exercises' heading (or None)."""
    import json
    import re

    cells = json.loads(Path(path).read_text())["cells"]
    heading = [i for i, c in enumerate(cells) if c["cell_type"] == "markdown"
               and re.match(r"## \d+\. Exercises\s*$", "".join(c["source"]).split("\n")[0])]
    if not heading:
        return None
    return cells[heading[-1] + 1:]


def test_each_lecture_ends_with_exercises_and_folded_solutions():
    lectures = [p for p in LECTURES if int(p.name[:2]) >= EXERCISES_FROM_UNIT]
    assert len(lectures) == 12 - EXERCISES_FROM_UNIT + 1
    for path in lectures:
        after = _exercises(path)
        assert after is not None, f"{path.name}: no '## N. Exercises' section"
        assert all(c["cell_type"] == "markdown" for c in after), (
            f"{path.name}: the exercises are the lecture's last cells (markdown only)")
        exercises = ["".join(c["source"]) for c in after]
        assert len(exercises) in EXERCISE_COUNT, (
            f"{path.name}: {len(exercises)} exercises, expected 3-5 (one per cell)")
        for number, text in enumerate(exercises, start=1):
            where = f"{path.name}, exercise {number}"
            assert text.startswith(f"**Exercise {number}.**"), f"{where}: start with '**Exercise {number}.**'"
            assert text.count("<details>") == 1 and text.count("</details>") == 1, (
                f"{where}: one folded solution, <details>…</details>")
            question, solution = text.split("<details>")
            assert "<summary>Solution</summary>" in solution, f"{where}: <summary>Solution</summary>"
            body = solution.split("</summary>", 1)[1].split("</details>")[0]
            assert len(body.split()) >= 15, f"{where}: a worked solution, not just the answer"
            assert len(question.split()) >= 10, f"{where}: the question says what to do"
