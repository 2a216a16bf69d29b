"""The map of what each assignment grades (common.syllabus) against the solutions in source/."""
import ast
import importlib
import inspect
from pathlib import Path

import pytest

from common import syllabus
from grading import solutions
from grading.course import REPO, repository
from grading.solutions import SolutionUnit


@pytest.fixture(scope="module")
def units():
    return solutions.source_units(REPO / "source", syllabus.ASSIGNMENTS)


def test_the_assignments_are_those_of_source():
    assert list(syllabus.ASSIGNMENTS) == repository().assignments()


def test_every_solution_definition_is_in_the_map_and_nothing_else(units):
    unknown, absent = solutions.map_mismatches(units, syllabus.GRADED)
    assert not unknown, f"solution regions define {unknown}: add them to common.syllabus.GRADED"
    assert not absent, f"common.syllabus.GRADED names {absent}, which no solution defines"


def test_the_comparison_sees_a_new_definition_and_a_stale_row(units):
    extra = SolutionUnit("04_layer_classes", "Tanh", "tanh", ("return np.tanh(x)",), True)
    grown = {**units, "04_layer_classes": units["04_layer_classes"] + [extra]}
    stale = syllabus.GRADED + (syllabus.Graded("06_optimizers", "Nadam"),)
    assert solutions.map_mismatches(grown, syllabus.GRADED) == ([("04_layer_classes", "Tanh")], [])
    assert solutions.map_mismatches(units, stale) == ([], [("06_optimizers", "Nadam")])


def test_a_cell_without_definitions_is_one_unit_named_by_its_cell():
    from nbformat.v4 import new_code_cell

    cell = new_code_cell("x = 1\n### BEGIN SOLUTION\np1 = 3.5\n### END SOLUTION\n",
                         metadata={"nbgrader": {"solution": True, "grade_id": "p1"}})
    (unit,) = solutions.cell_units("01_autodiff", cell)
    assert (unit.name, unit.defines, unit.regions) == ("p1", False, ("p1 = 3.5",))


@pytest.mark.parametrize("row", [r for r in syllabus.GRADED if r.course],
                         ids=lambda r: f"{r.assignment}-{r.name}")
def test_every_course_object_of_the_map_exists_at_the_top_of_its_module(row):
    for target in row.course:
        module_name, qualname = target.split(":")
        module = importlib.import_module(module_name)
        obj = getattr(module, qualname, None)
        assert obj is not None, f"{target} (map row {row.name}) does not exist"
        assert inspect.getmodule(obj) is module, f"{target} is defined elsewhere"
        tree = ast.parse(Path(module.__file__).read_text())
        assert qualname in {n.name for n in tree.body
                            if isinstance(n, (ast.ClassDef, ast.FunctionDef))}, target


def test_a_given_answer_is_handed_out_no_later_than_its_assignment():
    for row in syllabus.GRADED:
        assert row.assignment in syllabus.ASSIGNMENTS
        if row.given_since is not None:
            assert row.course, row
            assert (syllabus.assignment_number(row.given_since)
                    <= syllabus.assignment_number(row.assignment)), row


def test_unit_1s_gradient_check_is_public_while_its_assignment_asks_for_one():
    # lecture 01 checks every gradient with common.gradient_check; Part 0 of assignment 01 has
    # the student write one too, so the course's version is no secret in edition 01
    assert "common.gradient_check:numerical_gradient" not in syllabus.withheld("01_autodiff")
    row = next(r for r in syllabus.GRADED if r.name == "central_difference_gradient")
    assert syllabus.is_public(row, "01_autodiff")


def test_what_is_withheld_shrinks_as_assignments_close():
    previous = None
    for open_assignment in list(syllabus.ASSIGNMENTS) + [None]:
        now = set(syllabus.withheld(open_assignment))
        if previous is not None:
            assert now <= previous
        previous = now
    assert previous == set()
    assert "common.layers:BatchNormalization" in syllabus.withheld("08_batch_norm")
    assert "common.layers:BatchNormalization" not in syllabus.withheld("09_deep_models")
    assert "common.functions:softmax" in syllabus.withheld("01_autodiff")
    assert "common.functions:softmax" not in syllabus.withheld("02_two_layer_nets")


def test_the_locked_message_names_the_assignment_and_what_the_student_writes():
    rows = syllabus.withheld("05_multilayer_nets")["common.network:MultiLayerNet"]
    assert syllabus.locked_message("MultiLayerNet", rows) == (
        "`MultiLayerNet` is what you write in assignment 05_multilayer_nets (as `LayerNet`); it "
        "is unlocked in the course package once that assignment has closed.")
    rows = syllabus.withheld("08_batch_norm")["common.layers:BatchNormalization"]
    assert syllabus.locked_message("BatchNormalization", rows) == (
        "`BatchNormalization` is what you write in assignment 08_batch_norm; it is unlocked in "
        "the course package once that assignment has closed.")


def test_unknown_assignment_is_rejected():
    with pytest.raises(ValueError, match="unknown assignment"):
        syllabus.graded_in("13_transformers")
