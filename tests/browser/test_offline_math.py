"""Math typesets offline: feedback pages (opened from disk and served by Jupyter) and
formgrader's submission view load MathJax from the pinned local package
(jupyter-server-mathjax, grading/feedback.py), and no request leaves the machine.

The fixtures (servers, browser, graded scratch course) are in ``conftest.py``; every request
to anywhere but 127.0.0.1 and local files is aborted and recorded in ``page.blocked_requests``.
"""
import pytest

from grading.course import Course, repository

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

TYPESET = ".MathJax, .MathJax_CHTML, .MathJax_SVG, .MathJax_Display, mjx-container"
TYPESET_TIMEOUT_MS = 60_000


def requests_seen(page):
    seen = []
    page.on("request", lambda request: seen.append(request.url))
    return seen


def assert_typeset(page, what):
    page.wait_for_function("() => window.MathJax && window.MathJax.Hub", timeout=TYPESET_TIMEOUT_MS)
    page.locator(TYPESET).first.wait_for(state="attached", timeout=TYPESET_TIMEOUT_MS)
    # MathJax has finished its queue when the typeset elements stop changing
    page.wait_for_function(
        "() => new Promise(done => MathJax.Hub.Queue(() => done(true)))",
        timeout=TYPESET_TIMEOUT_MS)
    assert page.locator(TYPESET).count() > 0, f"{what}: no typeset formula"
    assert not page.blocked_requests, f"{what} tried to reach {page.blocked_requests}"


def feedback_page(course, assignment, student="solution"):
    name = repository().notebook_names(assignment)[0].replace(".ipynb", ".html")
    return Course(course).feedback(student, assignment) / name


def test_feedback_page_from_disk_typesets_math_offline(graded_course, page, assignment,
                                                       screenshot):
    path = feedback_page(graded_course, assignment)
    assert "cdnjs" not in path.read_text()
    seen = requests_seen(page)
    page.goto(path.as_uri())
    assert_typeset(page, path.name)
    assert any("jupyter_server_mathjax" in url and url.startswith("file://") for url in seen)
    screenshot(page, "feedback_math_offline")


def test_feedback_page_served_by_jupyter_typesets_math_offline(instructor_lab, graded_course,
                                                               page, assignment):
    path = feedback_page(graded_course, assignment)
    seen = requests_seen(page)
    page.goto(instructor_lab.url("files/" + str(path.relative_to(graded_course))))
    assert_typeset(page, "served " + path.name)
    assert any("/static/jupyter_server_mathjax/MathJax.js" in url for url in seen)


def test_formgrader_submission_view_typesets_math_offline(instructor_lab, graded_course, page,
                                                          assignment, screenshot):
    notebook = repository().notebook_names(assignment)[0].replace(".ipynb", "")
    with Course(graded_course).gradebook() as gb:
        submission = gb.find_submission_notebook(notebook, assignment, "solution").id
    seen = requests_seen(page)
    page.goto(instructor_lab.url(f"formgrader/submissions/{submission}"))
    assert_typeset(page, "formgrader's submission view")
    assert any("/static/jupyter_server_mathjax/MathJax.js" in url for url in seen)
    assert not any("cdnjs" in url for url in seen)
    # long output lines (errors, hints) wrap there as on the feedback pages
    output = page.locator("div.output_area pre").first
    output.wait_for(state="attached")
    assert output.evaluate("el => getComputedStyle(el).whiteSpace") == "pre-wrap"
    screenshot(page, "formgrader_math_offline")
