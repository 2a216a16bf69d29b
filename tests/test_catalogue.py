"""grading/catalogue.py: the harness that grades every catalogue entry with nbgrader.

What is tested here is its one piece of own logic: a submission nbgrader gave up on (its kernel
died or did not start in time) is graded once more on its own, so a transient failure on a
loaded machine does not turn a correct submission into zero points, while a submission that
really kills its kernel still fails.
"""
import pytest

from grading import catalogue, pipeline

pytestmark = pytest.mark.xdist_group("catalogue")

ASSIGNMENT = "10_dropout"


def test_a_submission_whose_kernel_dies_once_is_graded_again(tmp_path):
    course = pipeline.new_course(tmp_path / "course", [ASSIGNMENT])
    release = pipeline.generate_release(course, ASSIGNMENT)
    [name] = pipeline.notebook_names(ASSIGNMENT)
    source_nb = pipeline.read_notebook(pipeline.REPO / "source" / ASSIGNMENT / name)
    solutions = pipeline.solution_sources(source_nb)
    first = next(iter(solutions))
    flag = tmp_path / "kernel-died-once"
    # the kernel of "flaky" dies the first time only; that of "broken" dies every time
    dies_once = (f"import os, pathlib\nif not pathlib.Path({str(flag)!r}).exists():\n"
                 f"    pathlib.Path({str(flag)!r}).touch()\n    os._exit(1)\n")
    dies_always = "import os\nos._exit(1)\n"
    release_nb = pipeline.read_notebook(release / name)
    for student, prefix in (("steady", ""), ("flaky", dies_once), ("broken", dies_always)):
        answers = {**solutions, first: prefix + solutions[first]}
        pipeline.submit(course, student, ASSIGNMENT,
                        {name: pipeline.fill_answers(release_nb, answers)})

    catalogue.autograde_all(course, ASSIGNMENT)

    assert flag.exists(), "the flaky submission never ran its first answer cell"
    rows = pipeline.grades(course)
    scores = {s: sum(r["score"] for r in rows if r["student"] == s) for s in
              ("steady", "flaky", "broken")}
    full = sum(r["max_score"] for r in rows if r["student"] == "steady")
    assert full > 0
    assert scores == {"steady": full, "flaky": full, "broken": 0}, scores
    assert catalogue.not_autograded(course, ASSIGNMENT) == ["broken"]
