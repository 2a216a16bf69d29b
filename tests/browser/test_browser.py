"""The course in a real browser: JupyterLab + nbgrader, driven in headless Chromium.

A student runs a lecture notebook and validates an assignment; an instructor opens formgrader
on a graded scratch class (students "solution" and "blank") and reads a student's feedback.
Every test saves a screenshot into ``tests/browser/output/`` (ignored by git) to look at; with
``DL2_UPDATE_SCREENSHOTS=1`` the README's pictures in ``docs/screenshots/`` are rewritten too.
The fixtures (servers, browser, scratch course) are in ``conftest.py``.

Run: ``python -m pytest tests/browser -m browser`` (about a minute and a half).
"""
import re

import pytest

from grading import cells
from grading.course import REPO, Course, repository

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

NOTEBOOK_RUN_TIMEOUT_MS = 150_000  # the whole lecture notebook, Run All Cells
VALIDATE_TIMEOUT_MS = 120_000      # nbgrader validate runs the notebook on the server
NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"  # the notebook on show
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


# ---------------------------------------------------------------------------------------------
# Helpers


def open_notebook(tab, lab, path):
    """Open ``path`` (relative to the server's folder) in JupyterLab; wait for an idle kernel."""
    # ?reset: a fresh workspace, so tabs left open by an earlier test do not come back
    tab.goto(lab.url(f"lab/tree/{path}?reset"))
    tab.locator(NOTEBOOK).wait_for(timeout=60_000)
    tab.locator(".jp-StatusBar-Widget").get_by_text("| Idle").wait_for(timeout=60_000)


def code_cell_prompts(tab):
    return tab.locator(f"{NOTEBOOK} .jp-CodeCell .jp-InputPrompt").evaluate_all(
        "els => els.map(e => e.textContent.trim())")


def run_all_cells(tab):
    """Run menu → Run All Cells, then wait until no cell is queued or running."""
    tab.get_by_role("menuitem", name="Run", exact=True).click()
    tab.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # A cell waiting or running shows "[*]:"; after an error the rest go back to "[ ]:".
    tab.wait_for_function(
        """selector => {
            const prompts = [...document.querySelectorAll(selector)]
                .map(e => e.textContent.trim());
            return prompts.length > 0 && /\\d/.test(prompts[0])
                && !prompts.some(t => t.includes('*'));
        }""", arg=f"{NOTEBOOK} .jp-CodeCell .jp-InputPrompt",
        timeout=NOTEBOOK_RUN_TIMEOUT_MS, polling=500)


def validate(tab):
    """Press nbgrader's Validate toolbar button; return the result dialog's text."""
    tab.get_by_role("button", name="Validate", exact=True).click()
    dialog = tab.locator(".jp-Dialog")
    dialog.get_by_text("Validation Results").wait_for(timeout=VALIDATE_TIMEOUT_MS)
    return dialog.inner_text()


def graded_test_cells(notebook):
    """The autograded test cells (grade cells that are not answer cells) of a notebook."""
    return [c for c in notebook.cells if cells.is_test(c) and not cells.is_answer(c)]


def scores_by_student(course, assignment):
    """``{student: (points, max points)}`` of one assignment, from the course's gradebook."""
    totals = {}
    for row in Course(course).grades():
        if row["assignment"] == assignment:
            score, top = totals.get(row["student"], (0.0, 0.0))
            totals[row["student"]] = (score + row["score"], top + row["max_score"])
    return totals


def squash(text):
    """Text with every run of white space made one space (page text vs. source lines)."""
    return " ".join(text.split())


def hidden_test_lines(assignment):
    """Lines inside ``### BEGIN/END HIDDEN TESTS`` of the assignment's source notebooks that
    appear nowhere in its released notebooks (so seeing one means the hidden tests leaked)."""
    lines = set()
    for name in repository().notebook_names(assignment):
        released = squash("\n".join(  # the cells' text (the file's JSON escapes quotes)
            cell.source for cell in cells.read(REPO / "release" / assignment / name).cells))
        for cell in cells.read(REPO / "source" / assignment / name).cells:
            for region in cells.hidden_test_regions(cell.source):
                lines |= {squash(line) for line in region.splitlines()
                          if len(line.strip()) >= 12 and squash(line) not in released}
    return sorted(lines)


# ---------------------------------------------------------------------------------------------
# Students


def test_nbgrader_lab_extensions_load(student_lab, page, assignment, screenshot):
    """What `make lab` gives a student: the Nbgrader menu, Validate button, assignment list."""
    name = repository().notebook_names(assignment)[0]
    open_notebook(page, student_lab, f"release/{assignment}/{name}")
    assert page.get_by_role("button", name="Validate", exact=True).is_visible()
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    menu = page.locator(".lm-Menu").last
    for item in ("Assignment List", "Course List", "Formgrader", "Create assignment"):
        assert menu.get_by_text(item, exact=True).is_visible(), f"Nbgrader menu lacks {item!r}"
    menu.get_by_text("Assignment List", exact=True).click()
    tab = page.locator(".lm-TabBar-tab").filter(has_text="Assignments")
    tab.wait_for()
    page.get_by_text("Released assignments").first.wait_for()
    screenshot(page, "student_assignment_list")
    assert not page.blocked_requests, f"the page tried to reach {page.blocked_requests}"


def test_lecture_notebook_runs_in_lab_with_math_and_plots(student_lab, page, lecture_notebook,
                                                          screenshot):
    name = lecture_notebook
    open_notebook(page, student_lab, f"notebooks/{name}")
    run_all_cells(page)

    prompts = code_cell_prompts(page)
    not_run = [i for i, p in enumerate(prompts) if not re.search(r"\d", p)]
    errors = [text for text in page.locator(f"{NOTEBOOK} {STDERR}").all_inner_texts()
              if "Traceback" in text]
    assert not errors, f"{name} shows an error in the browser:\n{errors[0][-2000:]}"
    assert not not_run, f"{name}: Run All stopped; code cells {not_run} did not run"

    assert page.locator(f"{NOTEBOOK} .jp-MarkdownOutput mjx-container").count() > 0, \
        f"{name} shows no rendered math"
    plots = page.locator(f"{NOTEBOOK} .jp-OutputArea-output img")
    assert plots.count() >= 1, f"{name} shows no plot"
    plots.first.scroll_into_view_if_needed()
    assert plots.first.evaluate("img => img.complete && img.naturalWidth > 100")
    screenshot(page, "lecture_notebook_plot")
    assert not page.blocked_requests, f"{name} tried to reach {page.blocked_requests}"


def test_validate_blank_release_lists_the_failing_tests(student_lab, page, assignment,
                                                        screenshot):
    name = repository().notebook_names(assignment)[0]
    open_notebook(page, student_lab, f"release/{assignment}/{name}")
    text = validate(page)
    screenshot(page, "student_validate", readme=True)
    assert "Success" not in text
    assert "NotImplementedError" in text
    release_nb = cells.read(REPO / "release" / assignment / name)
    n_tests = len(graded_test_cells(release_nb))
    assert text.count("The following cell failed") == n_tests, \
        f"expected each of the {n_tests} test cells of the blank {name} to be reported failing"


def test_validate_with_the_solution_filled_in_reports_success(student_lab, page, assignment,
                                                              screenshot):
    name = repository().notebook_names(assignment)[0]
    open_notebook(page, student_lab, f"solved/{assignment}/{name}")
    text = validate(page)
    screenshot(page, "student_validate_solved")
    assert "Success! Your notebook passes all the tests." in text
    assert "failed" not in text


# ---------------------------------------------------------------------------------------------
# Instructors


def test_formgrader_lists_every_assignment(instructor_lab, page, assignment, screenshot):
    page.goto(instructor_lab.url("formgrader/manage_assignments"))
    table = page.locator("table")
    table.get_by_text(assignment, exact=True).wait_for()
    rows = table.locator("tbody tr").all_inner_texts()
    for name in repository().assignments():
        assert any(row.split()[0] == name for row in rows if row.split()), \
            f"formgrader does not list {name}"
    screenshot(page, "formgrader_assignments", full_page=True)


def test_formgrader_shows_submissions_and_scores_of_the_graded_class(
        instructor_lab, graded_course, students, page, assignment, screenshot):
    totals = scores_by_student(graded_course, assignment)
    assert set(totals) == set(students)

    # Inside JupyterLab, as an instructor gets there: Nbgrader menu → Formgrader.
    page.goto(instructor_lab.url("lab"))
    # collapse the file browser (click its open side tab): more room for the table
    page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current").click()
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.locator(".lm-Menu").last.get_by_text("Formgrader", exact=True).click()
    formgrader = page.frame_locator("iframe[src*='formgrader']")
    formgrader.get_by_role("link", name=assignment, exact=True).first.wait_for()
    formgrader.locator(f"a[href*='manage_submissions/{assignment}']").first.click()
    for student in students:
        formgrader.locator("td").get_by_text(student, exact=True).wait_for()
    rows = formgrader.locator("tbody tr").all_inner_texts()
    for student, (score, top) in totals.items():
        row = next(r for r in rows if student in r.split())
        assert f"{score:g} / {top:g}" in row, f"{student}: expected {score:g} / {top:g} in {row!r}"
        assert "graded" in row
    assert totals["solution"][0] == totals["solution"][1] > 0 == totals["blank"][0]
    page.set_viewport_size({"width": 1366, "height": 540})  # the table, without empty space
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    screenshot(page, "formgrader", readme=True)
    assert not page.blocked_requests, f"formgrader tried to reach {page.blocked_requests}"


def test_feedback_page_renders_without_hidden_tests(graded_course, page, assignment, student,
                                                    screenshot):
    hidden = hidden_test_lines(assignment)
    if not hidden:
        pytest.skip(f"{assignment} has no hidden tests to leak")
    names = repository().notebook_names(assignment)
    score, top = scores_by_student(graded_course, assignment)[student]
    for name in names:
        html = graded_course / "feedback" / student / assignment / name.replace(".ipynb", ".html")
        assert html.exists(), f"nbgrader generate_feedback wrote no {html}"
        page.goto(html.as_uri())
        page.get_by_text(re.compile(r"Score: [\d.]+ / [\d.]+")).first.wait_for()
        screenshot(page, f"feedback_{student}")
        text = squash(page.locator("body").inner_text())
        assert name.replace(".ipynb", "") in text
        if len(names) == 1:  # the page's total is the assignment's total
            assert f"Score: {score:.1f} / {top:.1f}" in text
        leaked = [line for line in hidden if line in text]
        assert not leaked, (
            f"{student}'s feedback for {name} shows {len(leaked)} line(s) of hidden tests, "
            f"e.g. {leaked[0]!r}")
