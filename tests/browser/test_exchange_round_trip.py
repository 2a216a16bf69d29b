"""The exchange loop in the browser: a student fetches and submits through JupyterLab's
Assignments tab, the instructor collects and runs ``grade-class`` and releases the feedback,
and the student fetches it in the Assignments tab (what broke when grade-class left no
timestamp.txt in feedback/).

Submit goes through the course's JupyterLab plugin (``extensions/submit-check``): for the
untouched release it warns that Validate fails (Cancel hands nothing in); for the solved
notebook it asks, and after Submit it confirms the submission's time.

The course folder is made by ``python -m grading init-course`` (its own exchange folder); the
student's JupyterLab runs in a folder of its own whose nbgrader config names that exchange.
Screenshots of each step are kept in ``tests/browser/output/``.
"""
import getpass
import subprocess
import sys
from pathlib import Path

import pytest

from grading import cells, classroom, init_course
from grading.course import nbgrader_environment
from grading.limits import Limits


def browser_conftest():
    """This folder's conftest module as pytest imported it (its server helpers)."""
    here = str(Path(__file__).with_name("conftest.py"))
    return next(m for m in list(sys.modules.values()) if getattr(m, "__file__", None) == here)

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

ASSIGNMENT = "10_dropout"
STUDENT = getpass.getuser()  # nbgrader submit hands in under the login name


def nbgrader(*args, cwd):
    out = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd,
                         env=nbgrader_environment(), capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"nbgrader {args}:\n{out.stdout[-1500:]}\n{out.stderr[-3000:]}"
    return out


@pytest.fixture(scope="module")
def course_and_student(browser_requirements, tmp_path_factory):
    base = tmp_path_factory.mktemp("roundtrip")
    roster = base / "students.csv"
    roster.write_text(f"id,first_name,last_name\n{STUDENT},Stu,Dent\n")
    course = init_course.init_course(base / "course", roster=roster, assignments=[ASSIGNMENT])
    nbgrader("release_assignment", ASSIGNMENT, cwd=course.root)
    student = base / "student"
    (student / "fetched").mkdir(parents=True)
    settings = {"CourseDirectory.course_id": "dl2",
                "Exchange.root": str(init_course.exchange_root(course)),
                "Exchange.assignment_dir": str(student / "fetched"),
                "Exchange.cache": str(student / "cache")}
    text = "c = get_config()\n" + "".join(f"c.{k} = {v!r}\n" for k, v in settings.items())
    # the Assignments tab reads the config of the server's folder, then that of the fetched
    # folder (nbgrader's assignment_list handler), where the virtualenv's one would name the
    # repository's exchange: the student's settings go in both
    for folder in (student, student / "fetched"):
        (folder / "nbgrader_config.py").write_text(text)
    helpers = browser_conftest()
    server = helpers.start_jupyter_lab(student, tmp_path_factory.mktemp("roundtrip-home"))
    yield course, student, server
    helpers.stop_jupyter_lab(server)


def assignments_tab(page, server):
    page.goto(server.url("lab?reset"))
    page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
    page.locator(".lm-Menu").last.get_by_text("Assignment List", exact=True).click()
    page.get_by_text("Released assignments").first.wait_for()
    return page


def row(page, section, name=ASSIGNMENT):
    """The row of ``name`` in one list of the Assignments tab (e.g. "#fetched_assignments_list")."""
    return page.locator(f"{section} .list_item").filter(has_text=name).first


def test_fetch_submit_grade_release_and_fetch_feedback(course_and_student, page, screenshot):
    course, student, server = course_and_student
    assignments_tab(page, server)
    row(page, "#released_assignments_list").get_by_role("button", name="Fetch").click()
    fetched = row(page, "#fetched_assignments_list")
    fetched.wait_for(timeout=60_000)
    screenshot(page, "roundtrip_1_fetched")
    path = student / "fetched" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"  # not beside the config
    assert path.is_file(), "Fetch puts the assignment in the fetched/ folder"
    inbound = init_course.exchange_root(course) / "dl2" / "inbound"

    # Submit of the untouched release: the course's plugin runs Validate first and warns
    fetched.get_by_role("button", name="Submit").click()
    warning = page.locator(".jp-Dialog").filter(has_text=f"{ASSIGNMENT} does not pass Validate")
    warning.wait_for(timeout=180_000)
    assert "test cells failed" in warning.inner_text()
    screenshot(page, "roundtrip_2_submit_warns_after_failed_validate")
    warning.get_by_role("button", name="Cancel").click()
    warning.wait_for(state="detached")
    assert not list(inbound.glob("*")), "Cancel must not hand anything in"

    # the student's work: the instructor solution filled in; now Submit asks, then confirms
    solution = cells.solution_sources(course.source_notebook(ASSIGNMENT, path.name))
    cells.write(cells.fill_answers(cells.read(path), solution), path)
    fetched.get_by_role("button", name="Submit").click()
    question = page.locator(".jp-Dialog").filter(has_text=f"Submit {ASSIGNMENT}?")
    question.wait_for(timeout=180_000)
    assert "Validate passes" in question.inner_text()
    screenshot(page, "roundtrip_3_submit_asks")
    question.get_by_role("button", name="Submit").click()
    page.get_by_text(f"Submitted {ASSIGNMENT} at").wait_for(timeout=120_000)
    submitted = row(page, "#submitted_assignments_list")
    submitted.wait_for(timeout=120_000)
    screenshot(page, "roundtrip_4_submitted_and_confirmed")
    assert len(list(inbound.glob("*"))) == 1, "one submission in the exchange"

    nbgrader("collect", ASSIGNMENT, cwd=course.root)
    classroom.grade_class(course, [ASSIGNMENT], jobs=2, show_progress=False,
                          limits=Limits(cell_timeout=10, submission_timeout=60))
    for step in ("autograded", "feedback"):
        assert (course.root / step / STUDENT / ASSIGNMENT / "timestamp.txt").is_file(), step
    nbgrader("release_feedback", ASSIGNMENT, cwd=course.root)

    assignments_tab(page, server)
    submitted = row(page, "#submitted_assignments_list")
    submitted.get_by_text("feedback available to fetch").wait_for(timeout=60_000)
    submitted.get_by_role("button", name="Fetch Feedback").click()
    submitted.get_by_text("view feedback").wait_for(timeout=60_000)
    screenshot(page, "roundtrip_5_feedback_fetched")
    pages = list((student / "fetched" / ASSIGNMENT / "feedback").rglob(f"{ASSIGNMENT}.html"))
    assert len(pages) == 1, pages
    text = " ".join(pages[0].read_text().split())
    total = sum(r["max_score"] for r in course.grades() if r["student"] == STUDENT)
    assert f"Score: {total:.1f} / {total:.1f}" in text
    assert not page.blocked_requests, f"the page tried to reach {page.blocked_requests}"
