"""grading/catalogue.py: the harness that grades every catalogue entry with nbgrader.

What is tested here is its one piece of own logic: a submission nbgrader gave up on (its kernel
died or did not start in time) is graded once more on its own, so a transient failure on a
loaded machine does not turn a correct submission into zero points, while a submission that
really kills its kernel still fails.
"""
import pytest

from grading import catalogue, cells
from grading.course import REPO, Course, repository

pytestmark = pytest.mark.xdist_group("catalogue")

ASSIGNMENT = "10_dropout"


def test_a_submission_whose_kernel_dies_once_is_graded_again(tmp_path):
    course = Course.create(tmp_path / "course", [ASSIGNMENT])
    release = course.generate_release(ASSIGNMENT)
    [name] = repository().notebook_names(ASSIGNMENT)
    source_nb = cells.read(REPO / "source" / ASSIGNMENT / name)
    solutions = cells.solution_sources(source_nb)
    first = next(iter(solutions))
    flag = tmp_path / "kernel-died-once"
    # the kernel of "flaky" dies the first time only; that of "broken" dies every time. The
    # flaky one remembers that it died in a file beside the course: only a kernel outside the
    # OS sandbox can (a sandboxed one has nothing that outlives it), so this test of the
    # retry runs without the sandbox
    dies_once = (f"import os, pathlib\nif not pathlib.Path({str(flag)!r}).exists():\n"
                 f"    pathlib.Path({str(flag)!r}).touch()\n    os._exit(1)\n")
    dies_always = "import os\nos._exit(1)\n"
    release_nb = cells.read(release / name)
    for student, prefix in (("steady", ""), ("flaky", dies_once), ("broken", dies_always)):
        answers = {**solutions, first: prefix + solutions[first]}
        course.submit(student, ASSIGNMENT,
                        {name: cells.fill_answers(release_nb, answers)})

    catalogue.autograde_all(course, ASSIGNMENT, sandbox=False)

    assert flag.exists(), "the flaky submission never ran its first answer cell"
    rows = course.grades()
    scores = {s: sum(r["score"] for r in rows if r["student"] == s) for s in
              ("steady", "flaky", "broken")}
    full = sum(r["max_score"] for r in rows if r["student"] == "steady")
    assert full > 0
    assert scores == {"steady": full, "flaky": full, "broken": 0}, scores
    assert catalogue.not_autograded(course, ASSIGNMENT) == ["broken"]


def _outcomes_and_rows():
    entries = [catalogue.Entry(kind="wrong", index=i, cell="a", name=f"m{i}", fails="t1")
               for i in range(3)] + [catalogue.Entry(kind="correct", index=0, cell="a", name="c")]
    scores = {("wrong-00", "t1"): 0, ("wrong-01", "t2"): 0, ("wrong-02", "t1"): 1,
              ("wrong-02", "t2"): 0}
    rows = [{"student": s, "test": t, "score": scores.get((s, t), 2), "max_score": 2}
            for s in ("correct-00", "wrong-02", "wrong-00", "wrong-01") for t in ("t2", "t1")]
    return catalogue.outcomes(entries, rows), rows


def test_what_each_test_catches_does_not_depend_on_the_order_of_the_rows():
    results, rows = _outcomes_and_rows()
    expected = {"t1": (2, ["m0", "m2"]), "t2": (2, ["m1", "m2"])}
    assert catalogue.catches(results, rows) == expected
    assert catalogue.catches(results, rows[::-1]) == expected  # e.g. graded in other courses
    assert catalogue.report_section("a", results, rows) == catalogue.report_section(
        "a", results, rows[::-1])


def test_a_random_mistake_is_listed_only_on_the_test_it_targets():
    random_init = catalogue.Entry(kind="wrong", index=0, cell="a", name="unseeded", fails="t1",
                                  replace=[("rng.normal(size=3)", "np.random.randn(3)")])
    rows = [{"student": random_init.student, "test": t, "score": 0, "max_score": 2}
            for t in ("t1", "t2")]  # this run, its random weights also failed t2
    results = catalogue.outcomes([random_init], rows)
    assert catalogue.catches(results, rows) == {"t1": (2, ["unseeded"]), "t2": (2, [])}
