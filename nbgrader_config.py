"""nbgrader settings of the course; every nbgrader command works from the repository root.

Instructors: edit the notebooks in ``source/<assignment>/``, then regenerate the students'
versions with ``python -m grading release`` (it runs ``nbgrader generate_assignment`` in a
scratch folder, so this folder's gradebook is not touched). Class grading copies this file into
every course folder it makes; settings of one run (cell time, forked kernels, scratch
gradebooks) are passed on the command line as overrides of the traits below
(:class:`grading.course.RunOptions`).
"""
import os

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

from grading import feedback
from grading.guard import AUDIT_KEY
from grading.kernel_start import RestartingKernelClient
from grading.limits import Limits
from grading.misconceptions import NameMistakes
from grading.nbgrader_patches import cache_metadata_validator
from grading.preprocessors import (FeedbackGrades, GuardedExecute, SanitizeFeedback,
                                   ScratchGradebook)

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

# The course directory is the folder that holds this file, wherever nbgrader is started from.
c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "dl2"
c.CourseDirectory.source_directory = "source"
c.CourseDirectory.release_directory = "release"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Extra files students do not need in their release.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback"]
# A course-local exchange (students and instructor on one machine, e.g. `make lab`), and the
# assignments students fetch in their own folder, not beside source/ and release/ (the
# virtualenv's own config names the same folders for commands run anywhere else:
# grading/one_machine.py).
c.Exchange.root = os.path.join(c.CourseDirectory.root, ".exchange")
c.Exchange.assignment_dir = os.path.join(c.CourseDirectory.root, "fetched")

# Generated student versions: solution regions become this stub.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Executing notebooks (autograde, and students' validate): a cell that runs longer than this
# is stopped and the notebook graded as it stands; after a cell, wait this long for its last
# outputs. GuardedExecute is an Execute, so it reads these too.
c.Execute.timeout = Limits.cell_timeout
c.Execute.interrupt_on_timeout = True
c.Execute.iopub_timeout = Limits.iopub_timeout
# A kernel that stays silent after it starts (it happens, rarely) is started again instead of
# failing the notebook: each start may take this long (grading/kernel_start.py).
c.Execute.startup_timeout = Limits.kernel_start_timeout
c.AsyncKernelManager.client_factory = RestartingKernelClient

# Autograding runs under the grading guard (grading/guard.py: answer cells cannot rewrite
# numpy, builtins, common.* or the notebook's imported helpers to make tests pass), and
# feedback shows neither hidden tests nor tracebacks (one-line messages only). A failing test
# whose message is what a catalogued mistake gives is told which (grading/misconceptions.py).
c.Autograde.autograde_preprocessors = [
    ScratchGradebook, GuardedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
    NameMistakes, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
# The graded notebook keeps the guard's audit (grading/guard.py), which flags a submission that
# switched the guard off; nbconvert's clearing of metadata would drop it.
c.ClearMetadataPreprocessor.preserve_nb_metadata_mask = {("language_info", "name"), AUDIT_KEY}
c.GenerateFeedback.preprocessors = [FeedbackGrades, SanitizeFeedback, CSSHTMLHeaderPreprocessor]
# The feedback page names each test, says whether it passed and explains extra credit
# (grading/feedback.py, grading/templates/dl2_feedback).
c.GenerateFeedback.exporter_class = feedback.FeedbackExporter
c.FeedbackExporter.template_name = feedback.TEMPLATE
c.FeedbackExporter.extra_template_basedirs = feedback.template_dirs()
c.FeedbackExporter.extra_template_paths = feedback.template_paths()
# MathJax from the pinned local package, in feedback pages and formgrader (grading/feedback.py).
# (formgrader reads this file after its own settings, so these reach its exporter too)
c.HTMLExporter.filters = feedback.mathjax_filters()
c.HTMLExporter.extra_template_basedirs = feedback.template_dirs()
c.HTMLExporter.extra_template_paths = feedback.template_paths()

# The one change to nbgrader itself: its check of every cell's metadata validates the JSON
# schema once per process instead of once per cell (grading/nbgrader_patches.py).
cache_metadata_validator()
