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
