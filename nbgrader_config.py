"""nbgrader settings for the course; every nbgrader command works from the repository root.

Instructors: edit the notebooks in ``source/<assignment>/``, then
``nbgrader generate_assignment <assignment> --force`` writes ``release/<assignment>/``.
"""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

# The course directory is the folder that holds this file, wherever nbgrader is started from.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "dl2"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"

# Generated student versions: solution regions become this stub.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Grading: a cell that runs longer than this is stopped and the notebook graded as it stands.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
# After a cell finishes, wait this long for its last outputs (nbclient's default of 4 s is too
# short on a busy machine: the student would lose the notebook to "Timeout waiting for IOPub").
c.Execute.iopub_timeout = 30
# Extra files students do not need in their release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]

# Autograding runs the guard of grading/guard.py around execution (answer cells cannot rewrite
# numpy, builtins, common.* or the notebook's imported helpers to make tests pass), and
# feedback shows neither hidden tests nor tracebacks (one-line messages only).
from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor  # noqa: E402
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, Execute,  # noqa: E402
                                    GetGrades, IgnorePattern, LimitOutput, SaveAutoGrades)

from grading.guard import InjectGuard, RemoveGuard, SanitizeFeedback  # noqa: E402
from grading.nbgrader_patches import (cache_metadata_validator,  # noqa: E402
                                      scratch_gradebooks_without_fsync)

# nbgrader re-checks its metadata schema for every cell it reads (~5 ms a cell); check it once
cache_metadata_validator()
if os.environ.get("DL2_SCRATCH_GRADEBOOK") == "1":
    # a sandbox of class grading (grading/classroom.py): its gradebook is a scratch copy
    scratch_gradebooks_without_fsync()

if os.environ.get("DL2_FORK_KERNELS") == "1":
    # class grading (python -m grading grade-class): kernels forked from a warm process,
    # the same isolation as fresh kernels without their start-up cost (grading/forkserver.py)
    from grading.forkserver import ForkExecute as Execute  # noqa: E402,F811

c.Autograde.autograde_preprocessors = [
    InjectGuard, Execute, RemoveGuard, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
c.GenerateFeedback.preprocessors = [GetGrades, SanitizeFeedback, CSSHTMLHeaderPreprocessor]

# A course-local exchange (students and instructor on one machine, e.g. `make lab`).
c.Exchange.root = os.path.join(c.CourseDirectory.root, ".exchange")
