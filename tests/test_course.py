"""grading/course.py: a course folder's layout comes from its own nbgrader config; runs get typed
options; the command line says in one line what to do with a folder that is not a course."""
import subprocess
import sys

import pytest

from grading import cells
from grading.course import (CONFIG_FILE, REPO, Course, CourseError, NbgraderError, RunOptions,
                            nbgrader_environment, repository)
from grading.limits import Limits

ASSIGNMENT = "10_dropout"


def test_the_repository_is_a_course():
    repo = repository()
    assert repo.root == REPO
    assert ASSIGNMENT in repo.assignments()
    assert repo.notebook_names(ASSIGNMENT) == [f"{ASSIGNMENT}.ipynb"]
    assert repo.source(ASSIGNMENT) == REPO / "source" / ASSIGNMENT
    assert repo.submitted("ann", ASSIGNMENT) == REPO / "submitted" / "ann" / ASSIGNMENT


def test_folder_names_are_read_from_the_course_config(tmp_path):
    course = Course.create(tmp_path / "c", [ASSIGNMENT])
    with open(course.config_path, "a") as f:
        f.write('\nc.CourseDirectory.submitted_directory = "handed_in"\n'
                'c.CourseDirectory.autograded_directory = "marked"\n')
    course = Course(course.root)
    assert course.submitted("ann", ASSIGNMENT) == course.root / "handed_in" / "ann" / ASSIGNMENT
    assert course.autograded("ann", ASSIGNMENT) == course.root / "marked" / "ann" / ASSIGNMENT
    nb = cells.read(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    folder = course.submit("ann", ASSIGNMENT, {"a.ipynb": nb, "b.ipynb": "{ broken"},
                           timestamp="2026-11-20 18:00:00 UTC")
    assert folder == course.root / "handed_in" / "ann" / ASSIGNMENT
    assert sorted(p.name for p in folder.iterdir()) == ["a.ipynb", "b.ipynb", "timestamp.txt"]
    assert course.submitted_students(ASSIGNMENT) == ["ann"]
    course.submit("ann", ASSIGNMENT, {"c.ipynb": nb})
    assert sorted(p.name for p in folder.iterdir()) == ["c.ipynb"], "a resubmission replaces"


def test_a_folder_without_config_is_refused_with_what_to_do(tmp_path):
    with pytest.raises(CourseError, match=f"has no nbgrader_config.py: make it a course folder "
                                          f"with `python -m grading init-course {tmp_path}`"):
        Course.open(tmp_path)
    assert not (tmp_path / CONFIG_FILE).exists()
    with pytest.raises(CourseError, match="is not a folder"):
        Course.open(tmp_path / "nowhere")


def test_grade_class_on_a_missing_folder_says_so_in_one_line(tmp_path):
    missing = subprocess.run([sys.executable, "-m", "grading", "grade-class", "--course",
                              str(tmp_path / "nowhere")], env=nbgrader_environment(),
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode != 0 and "Traceback" not in missing.stderr
    assert missing.stderr.strip().count("\n") == 0, missing.stderr
    assert "is not a folder" in missing.stderr


def test_gradebook_use_prints_no_sqlalchemy_warnings(tmp_path):
    """nbgrader's ORM warns (SAWarning) on update_or_create_submission; nothing a user of the
    grader can act on, so it is not shown."""
    course = Course.create(tmp_path / "c", [ASSIGNMENT])
    course.generate_release(ASSIGNMENT)
    code = ("import sys, warnings; warnings.simplefilter('default'); "
            "from grading.course import Course; c = Course(sys.argv[1]); "
            "gb = c.gradebook().__enter__(); gb.update_or_create_student('ann'); "
            f"gb.update_or_create_submission('{ASSIGNMENT}', 'ann', timestamp='2026-11-20 "
            "18:00:00 UTC'); gb.update_or_create_submission"
            f"('{ASSIGNMENT}', 'ann', timestamp='2026-11-21 18:00:00 UTC')")
    out = subprocess.run([sys.executable, "-" + "c", code, str(course.root)],
                         env=nbgrader_environment(), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "SAWarning" not in out.stderr, out.stderr


def test_permissions_are_nbgrader_s(tmp_path):
    course = Course.create(tmp_path / "c", [ASSIGNMENT])
    assert course.permissions("Autograde") == 0o444
    assert course.permissions("GenerateFeedback") == 0o644
    with open(course.config_path, "a") as f:
        f.write("\nc.Autograde.permissions = 640\n")
    assert Course(course.root).permissions("Autograde") == 0o640


def test_run_options_become_trait_overrides():
    assert RunOptions().argv() == []
    argv = RunOptions.for_sandbox(Limits(cell_timeout=7, fork_kernels=False, sandbox=False)).argv()
    assert argv == ["--GuardedExecute.timeout=7", "--GuardedExecute.interrupt_on_timeout=False",
                    "--GuardedExecute.shutdown_kernel=immediate",
                    "--GuardedExecute.sandbox=False", "--ScratchGradebook.enabled=True"]
    default = RunOptions.for_sandbox(Limits()).argv()
    assert "--GuardedExecute.fork_kernels=True" in default
    assert "--GuardedExecute.sandbox=True" in default


def test_nbgrader_runs_in_the_course_and_fails_loudly(tmp_path):
    course = Course.create(tmp_path / "c", [ASSIGNMENT])
    release = course.generate_release(ASSIGNMENT)
    assert (release / f"{ASSIGNMENT}.ipynb").is_file()
    with pytest.raises(NbgraderError, match="nbgrader generate_assignment no_such_assignment"):
        course.generate_release("no_such_assignment")


def test_every_limit_has_one_default_shown_in_the_help():
    out = subprocess.run([sys.executable, "-m", "grading", "grade-class", "--help"],
                         capture_output=True, text=True, check=True).stdout
    assert f"seconds per cell (default {Limits.cell_timeout})" in " ".join(out.split())
    config = (REPO / CONFIG_FILE).read_text()
    assert "c.Execute.timeout = Limits.cell_timeout" in config
