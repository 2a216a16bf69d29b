"""grading/report.py: the report's wording matches what the run did, the histograms count whole
students, and the grade tables of Canvas's and Moodle's imports (the full report folder is
checked on a graded class in tests/test_classroom.py)."""
import numpy as np
import pandas as pd
import pytest

from grading import report


def test_summary_says_what_was_graded_and_what_was_kept():
    assert report.summary(12, 12, 12, 41.2) == "12 submissions of 12 students graded in 41 s."
    kept = report.summary(12, 6, 0, 12.0)
    assert "graded in" not in kept and "none regraded" in kept and "12 s" in kept
    some = report.summary(12, 6, 2, 30.0)
    assert "2 graded in 30 s" in some and "the other 10 unchanged" in some


def test_where_graded_counts_each_assignments_submissions_per_machine():
    states = {"02": {"ann": {"ran_on": "tcp://10.0.0.2:4001"}, "bob": {"ran_on": "tcp://10.0.0.3:4001"},
                     "cy": {"ran_on": "tcp://10.0.0.2:4001"}},
              "04": {"ann": {}}}  # graded before states recorded where: this machine
    lines = report.where_graded(states, ["02", "04"])
    assert lines[0] == "| graded on | 02 | 04 |"
    assert "| tcp://10.0.0.2:4001 | 2 | 0 |" in lines
    assert "| tcp://10.0.0.3:4001 | 1 | 0 |" in lines
    assert "| this machine | 0 | 1 |" in lines
    assert report.where_graded({}, ["02"]) == ["(nothing graded)"]


@pytest.mark.parametrize("totals", [[3.0], [0.0, 10.0, 10.0], [2.5, 4.0, 7.5, 7.5, 9.0]])
def test_histogram_counts_whole_students(totals):
    fig = report.histogram_figure(np.array(totals), "10_dropout", 10.0)
    ax = fig.axes[0]
    fig.canvas.draw()
    lo, hi = ax.get_ylim()
    ticks = [t for t in ax.get_yticks() if lo <= t <= hi]
    assert len(ticks) >= 2 and all(float(t).is_integer() for t in ticks), ticks
    assert sum(p.get_height() for p in ax.patches) == len(totals)


def test_lms_tables_have_the_columns_canvas_and_moodle_import():
    grades = pd.DataFrame([
        {"student": "ann", "assignment": "a1", "points": 9.0, "max_points": 10.0},
        {"student": "ann", "assignment": "a2", "points": 4.0, "max_points": 5.0},
        {"student": "bob", "assignment": "a1", "points": 3.0, "max_points": 10.0},
    ])
    students = {"ann": {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.org",
                        "lms_user_id": "1001"},
                "bob": {"first_name": None, "last_name": None, "email": None, "lms_user_id": None}}
    canvas, moodle = report.lms_tables(grades, students)
    assert list(canvas.columns) == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section",
                                    "a1", "a2"]
    assert canvas.iloc[0]["Student"].strip() == "Points Possible"
    assert canvas.iloc[0]["a1"] == 10.0 and canvas.iloc[0]["a2"] == 5.0
    ann = canvas[canvas["SIS User ID"] == "ann"].iloc[0]
    assert ann["Student"] == "Lee, Ann" and ann["ID"] == "1001" and ann["a2"] == 4.0
    bob = canvas[canvas["SIS User ID"] == "bob"].iloc[0]
    assert bob["Student"] == "bob" and pd.isna(bob["a2"]), "no submission: no value"
    assert list(moodle.columns) == ["First name", "Last name", "ID number", "Email address",
                                    "a1", "a2"]
    assert moodle.set_index("ID number").loc["ann", "Email address"] == "ann@example.org"
    assert moodle.set_index("ID number").loc["bob", "a1"] == 3.0
