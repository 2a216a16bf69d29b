"""Every lecture notebook and every instructor (solution) notebook runs top to bottom."""
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grading.course import REPO

from test_edition import NEEDS_RESTRUCTURING

ALL_NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb")) + sorted((REPO / "source").glob("*/*.ipynb"))
# A lecture that runs in its own student edition is run there (tests/test_edition.py), once.
NOTEBOOKS = [p for p in ALL_NOTEBOOKS
             if p.parent.name != "notebooks" or p.name in NEEDS_RESTRUCTURING]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_notebook_runs_top_to_bottom(path, monkeypatch):
    monkeypatch.delenv("NBGRADER_EXECUTION", raising=False)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    assert not errors
    print(f"{path.name}: {time.perf_counter() - start:.1f} s")


def test_notebooks_import_common_without_path_hacks():
    for path in ALL_NOTEBOOKS:
        text = Path(path).read_text()
        assert "sys.path" not in text, f"{path}: no sys.path edits; `common` is installed"
        assert "import *" not in text, f"{path}: no star imports"
