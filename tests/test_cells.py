"""grading/cells.py: nbgrader's cell kinds and the notebook edits built on them."""
import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grading import cells


def _cell(source, **nbgrader):
    cell = new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"grade_id": "x", **nbgrader}
    return cell


def test_cell_kinds():
    answer = _cell("pass", solution=True)
    test = _cell("assert True", grade=True, locked=True, points=1)
    plain = _cell("1 + 1")
    graded_markdown = new_markdown_cell("text")
    graded_markdown.metadata["nbgrader"] = {"grade": True, "grade_id": "m"}
    assert cells.is_answer(answer) and not cells.is_test(answer) and not cells.is_locked(answer)
    assert cells.is_test(test) and cells.is_locked(test) and not cells.is_answer(test)
    assert not any(f(plain) for f in (cells.is_answer, cells.is_test, cells.is_locked))
    assert cells.grade_id(plain) is None and cells.meta(plain) == {}
    assert not cells.is_test(graded_markdown), "only code cells are test cells"


def test_copy_is_deep_and_keeps_attribute_access():
    nb = new_notebook(cells=[_cell("a = 1", solution=True)])
    dup = cells.copy(nb)
    dup.cells[0].source = "a = 2"
    dup.cells[0].metadata.nbgrader["solution"] = False
    assert nb.cells[0].source == "a = 1" and nb.cells[0].metadata.nbgrader["solution"] is True
    assert isinstance(dup, nbformat.NotebookNode)


def test_solution_sources_drop_markers_and_fill_answers_copies():
    source = new_notebook(cells=[
        _cell(f"{cells.SOLUTION_BEGIN}\nx = 1\n{cells.SOLUTION_END}", solution=True),
        _cell("assert x == 1", grade=True, points=1)])
    assert cells.solution_sources(source) == {"x": "x = 1"}
    release = new_notebook(cells=[_cell("raise NotImplementedError()", solution=True)])
    filled = cells.fill_answers(release, {"x": "x = 3", "other": "ignored"})
    assert filled.cells[0].source == "x = 3"
    assert release.cells[0].source == "raise NotImplementedError()"


def test_hidden_tests_are_stripped_and_found():
    text = f"visible()\n{cells.HIDDEN_BEGIN}\nsecret()\n{cells.HIDDEN_END}\nalso_visible()"
    assert cells.strip_hidden_tests(text) == "visible()\nalso_visible()"
    assert cells.hidden_test_regions(text) == ["secret()"]


def test_clear_outputs_and_write_read_round_trip(tmp_path):
    cell = _cell("print(1)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="1\n")]
    cell.execution_count = 4
    nb = cells.clear_outputs(new_notebook(cells=[cell]))
    assert nb.cells[0].outputs == [] and nb.cells[0].execution_count is None
    path = cells.write(nb, tmp_path / "deep" / "nb.ipynb")
    assert cells.read(path) == nb
