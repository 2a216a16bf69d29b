"""The student's tools of the course: *Validate* in JupyterLab.

``python -m grading.validate_server`` (``make setup`` runs it) makes JupyterLab's Validate
button run your notebook in a separate process, with the visible tests, a time limit per cell
and a report that names the failing tests and their hints. ``python -m grading.validate_run
NOTEBOOK`` does the same from a terminal.
"""
