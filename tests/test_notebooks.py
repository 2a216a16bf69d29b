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
