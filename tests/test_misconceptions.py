"""Feedback that names the misconception (grading/misconceptions.py): signatures of failing
messages, the table a quality run makes, and the autograde preprocessor that names a mistake."""
import nbformat
import numpy as np
import pytest

from common.gradient_check import GradientCheckError, check_close
from grading import misconceptions
from grading.catalogue import Entry
from grading.misconceptions import NAMED, NameMistakes, signature


def failing_message(actual, expected, name="db"):
    with pytest.raises(GradientCheckError) as info:
        check_close(name, actual, expected)
    return f"GradientCheckError: {info.value}"


def test_two_ways_of_writing_one_mistake_give_one_signature():
    rng = np.random.default_rng(0)
    dout = rng.normal(size=(5, 3))
    right = dout.sum(axis=0)
    looped = np.zeros(3)
    for row in dout:
        looped += row / len(dout)  # the batch mean, written as a loop
    vectorized = dout.mean(axis=0)  # the same mistake, vectorized
    assert signature(failing_message(looped, right)) == signature(failing_message(vectorized, right))


def test_different_mistakes_give_different_signatures():
    rng = np.random.default_rng(1)
    dout = rng.normal(size=(5, 3))
    right = dout.sum(axis=0)
    assert signature(failing_message(dout.mean(axis=0), right)) != signature(
        failing_message(dout.sum(axis=0) * 2, right))


def test_signature_ignores_whitespace_digits_and_an_earlier_naming_line():
    message = "GradientCheckError: dW: relative error 1.2345e-01 > threshold 1e-07"
    assert signature(message) == signature(
        "GradientCheckError:  dW: relative error 1.2349e-01 >\nthreshold 1e-07"
        f"\n{NAMED}something.")
    assert signature(message) != signature(message.replace("1.2345e-01", "1.5e-01"))


def test_a_blank_answer_names_nothing():
    assert signature("NotImplementedError: ") == ""
    assert signature("") == ""


def _entry(i, name, fails="test_a", siblings=()):
    return Entry(kind="wrong", index=i, cell="a", name=name, fails=fails, siblings=list(siblings))


def _row(student, test, message):
    return {"student": student, "test": test, "message": message, "score": 0, "max_score": 1}


def test_table_maps_each_test_and_message_to_the_mistakes_that_give_it():
    entries = [_entry(0, "db as the mean"), _entry(1, "db not summed"), _entry(2, "same as 1")]
    results = [(e, True, "") for e in entries]
    rows = [_row("wrong-00", "test_a", "E: db: off by 0.5"),
            _row("wrong-01", "test_a", "E: db: off by 0.25"),
            _row("wrong-02", "test_a", "E: db: off by 0.2500001"),
            _row("wrong-00", "test_b", ""),
            _row("solution", "test_a", "E: db: off by 0.5")]  # not a mistake: not in the table
    table = misconceptions.table(results, rows)
    assert table == {"test_a": {signature("E: db: off by 0.5"): ["db as the mean"],
                                signature("E: db: off by 0.25"): ["db not summed", "same as 1"]}}
    named = dict((e.name, names) for e, names in misconceptions.named(results, rows, table))
    assert named["db as the mean"] == ["db as the mean"]
    assert misconceptions.named_correctly(entries[0], named["db as the mean"])
    assert not misconceptions.named_correctly(entries[1], named["db not summed"])
    assert misconceptions.named_correctly(entries[1], named["db not summed"], ["same as 1"])


def _graded(message_by_test):
    nb = nbformat.v4.new_notebook()
    for test, (ename, evalue) in message_by_test.items():
        cell = nbformat.v4.new_code_cell("check()")
        cell.metadata["nbgrader"] = {"grade": True, "grade_id": test, "points": 1,
                                     "solution": False, "locked": True}
        cell.outputs = [nbformat.v4.new_output("error", ename=ename, evalue=evalue,
                                               traceback=[f"{ename}: {evalue}"])]
        nb.cells.append(cell)
    return nb


def test_the_preprocessor_names_a_known_mistake_and_only_that(tmp_path):
    known = "dW: relative error 1.2e+00 > threshold 1e-07"
    misconceptions.write("04_x", {"test_a": {signature(f"GradientCheckError: {known}"):
                                             ["dW = x @ dout (missing transpose)"]}},
                         folder=tmp_path)
    nb = _graded({"test_a": ("GradientCheckError", known.replace("1.2e+00", "1.2034e+00")),
                  "test_b": ("GradientCheckError", known)})
    resources = {"nbgrader": {"assignment": "04_x"}}
    nb, _ = NameMistakes(signatures_dir=str(tmp_path)).preprocess(nb, resources)
    first, second = (c.outputs[0] for c in nb.cells)
    assert first.evalue.endswith(f"\n{NAMED}dW = x @ dout (missing transpose).")
    assert first.traceback[-1] == f"{NAMED}dW = x @ dout (missing transpose)."
    assert NAMED not in second.evalue  # same text, but another test cell: not this mistake
    again, _ = NameMistakes(signatures_dir=str(tmp_path)).preprocess(nb, resources)
    assert again.cells[0].outputs[0].evalue.count(NAMED) == 1


def test_too_many_candidates_say_nothing(tmp_path):
    message = "GradientCheckError: dx: wrong"
    misconceptions.write("a", {"t": {signature(message): ["m1", "m2", "m3", "m4"]}},
                         folder=tmp_path)
    nb = _graded({"t": ("GradientCheckError", "dx: wrong")})
    nb, _ = NameMistakes(signatures_dir=str(tmp_path)).preprocess(
        nb, {"nbgrader": {"assignment": "a"}})
    assert NAMED not in nb.cells[0].outputs[0].evalue


def test_every_assignment_with_a_catalogue_has_a_table_that_names_its_mistakes():
    from grading import catalogue
    from grading.course import repository

    for assignment in repository().assignments():
        wrong = {e.name for e in catalogue.load(assignment) if e.kind == "wrong"}
        named = {name for by in misconceptions.load(assignment).values()
                 for names in by.values() for name in names}
        assert wrong and named, f"{assignment}: no signature table; run python -m grading quality"
        assert named <= wrong, f"{assignment}: the table names mistakes the catalogue lacks: " \
                               f"{sorted(named - wrong)}"


@pytest.mark.xdist_group("09_deep_models")
def test_grading_a_catalogued_mistake_names_it_in_the_graded_notebook(tmp_path):
    """Through nbgrader autograde as the course config wires it (NameMistakes after execution):
    the graded notebook's error of the target test names the mistake, and nothing is named for
    the blank release."""
    from grading import catalogue

    assignment = "09_deep_models"
    table = misconceptions.load(assignment)
    entry = next(e for e in catalogue.load(assignment) if e.kind == "wrong" and any(
        e.name in names for names in table.get(e.fails, {}).values()))
    _, rows = catalogue.grade(assignment, tmp_path, entries=[entry])
    message = next(r["message"] for r in rows
                   if r["student"] == entry.student and r["test"] == entry.fails)
    assert f"{NAMED}{entry.name}" in message, message
    assert not any(NAMED in r["message"] for r in rows if r["student"] == "blank")


def test_addresses_paths_and_timeouts_do_not_make_signatures():
    one = "TypeError: <Affine object at 0x7f3a2b1c> from /tmp/abc123/course/x.py"
    two = "TypeError: <Affine object at 0x7f99ffff> from /tmp/zz9/course/x.py"
    assert signature(one) == signature(two) != ""
    assert signature("CellTimeoutError: A cell timed out while it was being executed") == ""
    assert signature("DeadKernelError: Kernel died") == ""


def test_mistakes_that_draw_from_the_global_generator_are_neither_named_nor_counted():
    random = _entry(0, "global np.random")
    random.replace = [("self.rng.random(x.shape)", "np.random.rand(*x.shape)")]
    seeded = _entry(1, "own generator, fixed seed")
    seeded.replace = [("self.rng", "np.random.default_rng(0)")]
    results = [(random, True, ""), (seeded, True, "")]
    rows = [_row("wrong-00", "test_a", "E: off by 0.5"), _row("wrong-01", "test_a", "E: off by 2")]
    assert misconceptions.is_random(random) and not misconceptions.is_random(seeded)
    table = misconceptions.table(results, rows)
    assert table == {"test_a": {signature("E: off by 2"): ["own generator, fixed seed"]}}
    assert [e.name for e, _ in misconceptions.named(results, rows, table)] == [seeded.name]
