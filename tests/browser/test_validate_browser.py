"""*Validate* in JupyterLab as a student meets it (grading/validate_server.py, validate_report.py).

* The result of a typical mistake is readable in the dialog: the summary line first, the hint
  inside the dialog's visible area (long lines wrap instead of running off the right edge).
* While one notebook validates, another notebook's cell runs and answers at once (the
  validation runs in a child process, not on the server's event loop).

Screenshots: ``tests/browser/output/validate_hint.png``, ``validate_responsive.png``.
"""
import time

import nbformat
import pytest

from grading import cells
from grading.course import REPO
from test_browser import NOTEBOOK, VALIDATE_TIMEOUT_MS, open_notebook, validate

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ASSIGNMENT = "04_layer_classes"
KERNEL = {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python",
                         "name": "python3"}}  # without it JupyterLab asks which kernel
SLOW_SECONDS = 15     # the slow notebook's test cell runs this long during Validate
RESPONSIVE_S = 3.0    # a cell in another notebook must answer within this (browser included)


def _write_mistake(lab):
    """The example assignment with the instructor solution, except ``db = dout.mean(axis=0)``."""
    name = f"{ASSIGNMENT}.ipynb"
    release = cells.read(REPO / "release" / ASSIGNMENT / name)
    solutions = cells.solution_sources(cells.read(REPO / "source" / ASSIGNMENT / name))
    solutions["affine"] = solutions["affine"].replace("self.db = np.sum(dout, axis=0)",
                                                      "self.db = dout.mean(axis=0)")
    cells.write(cells.fill_answers(release, solutions), lab.root / "mistakes" / name)
    return f"mistakes/{name}"


def _write_slow_and_other(lab):
    slow = nbformat.v4.new_notebook(metadata=KERNEL)
    test = nbformat.v4.new_code_cell(f"import time\ntime.sleep({SLOW_SECONDS})")
    test.metadata["nbgrader"] = {"grade": True, "grade_id": "slow_test", "locked": True,
                                 "points": 1, "schema_version": 3, "solution": False,
                                 "task": False}
    slow.cells = [test]
    other = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("")], metadata=KERNEL)
    folder = lab.root / "responsive"
    folder.mkdir(exist_ok=True)
    nbformat.write(slow, str(folder / "slow.ipynb"))
    nbformat.write(other, str(folder / "other.ipynb"))
    return "responsive/slow.ipynb", "responsive/other.ipynb"


def open_in_workspace(tab, lab, path, workspace):
    """``open_notebook`` in a JupyterLab workspace of its own: two tabs on one workspace
    would fight over its layout."""
    tab.goto(lab.url(f"lab/workspaces/{workspace}/tree/{path}?reset"))
    tab.locator(NOTEBOOK).wait_for(timeout=60_000)
    tab.locator(".jp-StatusBar-Widget").get_by_text("| Idle").wait_for(timeout=60_000)


def test_validate_dialog_shows_the_summary_first_and_the_hint_inside_its_visible_area(
        student_lab, page, screenshot):
    open_notebook(page, student_lab, _write_mistake(student_lab))
    text = validate(page)
    screenshot(page, "validate_hint")
    assert text.split("Validation Results", 1)[1].strip().startswith("1 of 7 test cells failed.")
    hint = page.locator("#validation-message pre").filter(has_text="hint: it is N=5 times too small")
    hint.wait_for()
    assert "sum dout, do not average it" in hint.inner_text()
    assert "only once" not in text and "gradient_check.py" not in text
    # the dialog does not scroll sideways, and the hint line lies inside its visible box
    body = page.locator(".jp-Dialog-body")
    overflow = body.evaluate("el => el.scrollWidth - el.clientWidth")
    assert overflow <= 1, f"the dialog's content is {overflow} px wider than its box"
    box, line = body.bounding_box(), hint.bounding_box()
    assert line["x"] >= box["x"] - 1 and line["x"] + line["width"] <= box["x"] + box["width"] + 1
    hint.scroll_into_view_if_needed()
    box, line = body.bounding_box(), hint.bounding_box()
    assert line["y"] >= box["y"] - 1 and line["y"] < box["y"] + box["height"]
    screenshot(page, "validate_hint_scrolled")


def test_another_notebook_runs_a_cell_while_one_validates(student_lab, page, screenshot):
    slow, other = _write_slow_and_other(student_lab)
    second = page.context.new_page()
    second.set_default_timeout(30_000)
    open_in_workspace(second, student_lab, other, "second")
    open_notebook(page, student_lab, slow)
    page.get_by_role("button", name="Validate", exact=True).click()
    time.sleep(4)  # the validation's kernel is now in the slow cell
    assert page.locator(".jp-Dialog").count() == 0, "Validate finished too early to test"

    second.bring_to_front()
    editor = second.locator(f"{NOTEBOOK} .jp-CodeCell .cm-content").first
    editor.click()
    editor.type("6 * 7")
    start = time.perf_counter()
    second.keyboard.press("Shift+Enter")
    second.locator(f"{NOTEBOOK} .jp-OutputArea-output").filter(has_text="42").wait_for(
        timeout=int(SLOW_SECONDS * 1000))
    seconds = time.perf_counter() - start
    still_validating = page.locator(".jp-Dialog").count() == 0
    screenshot(second, "validate_responsive")
    print(f"a cell of another notebook answered in {seconds:.2f} s during Validate")
    assert still_validating, "Validate ended before the other cell answered"
    assert seconds < RESPONSIVE_S, f"the other notebook's cell took {seconds:.1f} s"

    page.bring_to_front()
    dialog = page.locator(".jp-Dialog")
    dialog.get_by_text("Validation Results").wait_for(timeout=VALIDATE_TIMEOUT_MS)
    assert "Success! Your notebook passes all the tests." in dialog.inner_text()
    second.close()


def test_validate_on_a_lecture_notebook_says_there_is_nothing_to_validate(
        student_lab, page, lecture_notebook, screenshot):
    open_notebook(page, student_lab, f"notebooks/{lecture_notebook}")
    text = validate(page)
    screenshot(page, "validate_lecture")
    assert "there is nothing to validate" in text
    assert "Success" not in text and "The following cell failed" not in text
