"""grading/demo.py: the default demo class is small and still has one student of every kind
(the grading itself is tested on the same simulated students in tests/test_classroom.py)."""
import warnings

from grading import demo, simulate


def test_the_small_class_has_one_student_of_every_kind(tmp_path):
    names = ["10_dropout", simulate.HOSTILE_ASSIGNMENT]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        course = demo.make_demo_class(tmp_path / "demo", names)
    assert not [w for w in caught if "DuplicateCellId" in w.category.__name__]
    kinds = {p.rsplit("-", 1)[0] for p in simulate.PERSONAS if not p.startswith("hostile-")}
    assert {s.rsplit("-", 1)[0] for s in demo.regular_students()} == kinds
    assert course.submitted_students("10_dropout") == sorted(demo.regular_students())
    hostile = course.submitted_students(simulate.HOSTILE_ASSIGNMENT)
    assert sorted(hostile) == sorted(demo.regular_students() + demo.hostile_students())
    assert set(demo.hostile_students()) == {p for p in simulate.PERSONAS if p.startswith("hostile-")}
    assert len(demo.regular_students()) + len(demo.hostile_students()) < len(simulate.PERSONAS)
    assert not course.release("10_dropout").exists(), "grade-class generates the releases"
    with course.gradebook() as gb:
        assert gb.find_assignment("10_dropout").duedate is not None
