"""nbgrader settings of the course's virtualenv, installed as <venv>/etc/jupyter/nbgrader_config.py
by ``python -m grading.one_machine`` (``make``); read by every nbgrader command and Jupyter
server of the virtualenv, from any folder (a course folder's own nbgrader_config.py, read
after this one, decides there). See grading/one_machine.py."""
from grading.course import REPO
from grading.one_machine import FETCHED

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "dl2"
# the exchange of the repository's course (`make lab`): students and instructor on one machine
c.Exchange.root = str(REPO / ".exchange")
# fetched assignments (and their feedback) in their own folder, not beside release/ and source/
c.Exchange.assignment_dir = str(REPO / FETCHED)
