"""nbgrader settings for students: ``nbgrader validate`` and the Validate button.

Validation runs the notebook top to bottom in a fresh kernel with the visible tests; a cell
that runs longer than the time limit is stopped, as it is when your work is graded.
"""
import os

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.root = os.path.dirname(os.path.abspath(__file__))
c.CourseDirectory.course_id = "dl2"
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
