"""grading/feedback.py and its template: the feedback page names every test and whether it
passed, says extra credit in words, and shows no hidden tests (the rest of the page is
nbgrader's; tests/browser checks it in Chromium)."""
import re

import pytest

from grading import cells
from grading.course import Course, repository

ASSIGNMENT = "10_dropout"
NAME = f"{ASSIGNMENT}.ipynb"
pytestmark = pytest.mark.xdist_group("feedback")


def text_of(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = Course.create(tmp_path_factory.mktemp("fb") / "course", [ASSIGNMENT])
    release = course.generate_release(ASSIGNMENT)
    course.submit("blank", ASSIGNMENT, {NAME: cells.read(release / NAME)},
                  timestamp="2026-11-20 18:00:00 UTC")
    course.submit("solution", ASSIGNMENT, course.solved_notebooks(ASSIGNMENT),
                  timestamp="2026-11-20 18:00:00 UTC")
    course.autograde(ASSIGNMENT)
    with course.gradebook() as gb:  # what an instructor does in formgrader
        gb.find_grade("test_dropout_forward", ASSIGNMENT, ASSIGNMENT, "blank").extra_credit = 1.5
        gb.db.commit()
    course.generate_feedback(ASSIGNMENT)
    return course


def page(course, student):
    return (course.feedback(student, ASSIGNMENT) / NAME.replace(".ipynb", ".html")).read_text()


def test_every_test_is_listed_by_name_with_its_verdict(course):
    tests = [cells.grade_id(c) for c in course.release_notebook(ASSIGNMENT, NAME).cells
             if cells.is_test(c) and not cells.is_answer(c)]
    assert len(tests) >= 3
    for student, verdict in (("solution", "passed"), ("blank", "failed")):
        html = page(course, student)
        toc = text_of(html[html.index('<div id="toc">'):html.index("</ol>")])
        assert "Test cell" not in html
        for test in tests:
            assert f"Test {test} : {verdict}" in toc, (student, test, toc)


def test_extra_credit_is_explained_in_words(course):
    toc = text_of(page(course, "blank"))
    assert ("Test test_dropout_forward : failed (Score: 1.5 / 2.0: 0 from the test plus 1.5 "
            "points of extra credit from your instructor)") in toc
    assert "extra credit" not in text_of(page(course, "solution"))


def test_no_hidden_test_in_the_page(course):
    source = course.source_notebook(ASSIGNMENT, NAME)
    hidden = [line.strip() for c in source.cells for region in cells.hidden_test_regions(c.source)
              for line in region.splitlines() if len(line.strip()) > 20]
    assert hidden
    html = page(course, "blank")
    assert not [line for line in hidden if line in html]
    assert repository().notebook_names(ASSIGNMENT) == [NAME]


def test_long_error_lines_wrap(course):
    html = page(course, "blank")
    assert "div.output_area pre" in html and "white-space: pre-wrap" in html
