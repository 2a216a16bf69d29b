"""The feedback page a student gets (``nbgrader generate_feedback``), in the course's template.

:class:`FeedbackExporter` is nbgrader's HTML exporter with the template
``grading/templates/dl2_feedback`` (nbgrader's feedback page, extended): every test is listed
by its name with "passed", "partly passed" or "failed" instead of nbgrader's "Test cell",
extra credit an instructor gave in formgrader is said in words, and long error lines wrap.
``nbgrader_config.py`` makes it ``GenerateFeedback``'s exporter; the cells' scores and extra
credit come from :class:`grading.preprocessors.FeedbackGrades`.
"""
from pathlib import Path

import nbgrader
from nbconvert.exporters import HTMLExporter

TEMPLATE = "dl2_feedback"
TEMPLATES = Path(__file__).resolve().parent / "templates"
# nbgrader's own templates: dl2_feedback extends its feedback/index.html.j2
NBGRADER_TEMPLATES = (Path(nbgrader.__file__).resolve().parent / "server_extensions"
                      / "formgrader" / "templates")


# the Bootstrap style sheet nbgrader's feedback page includes
BOOTSTRAP_CSS = (Path(nbgrader.__file__).resolve().parent / "server_extensions" / "formgrader"
                 / "static" / "node_modules" / "bootstrap" / "dist" / "css")


def template_dirs():
    """The base folders of the template (``HTMLExporter.extra_template_basedirs``)."""
    return [str(TEMPLATES), str(NBGRADER_TEMPLATES)]


def template_paths():
    """Folders searched for files by name (``HTMLExporter.extra_template_paths``): nbgrader's
    templates, for ``{% extends 'feedback/index.html.j2' %}``, and its Bootstrap CSS."""
    return [str(NBGRADER_TEMPLATES), str(BOOTSTRAP_CSS)]


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback exporter with the course's template; configure it as
    ``c.FeedbackExporter.template_name``, ``extra_template_basedirs`` and
    ``extra_template_paths`` (nbgrader's
    GenerateFeedback sets those traits of every HTMLExporter, and only a setting of this class
    itself takes precedence)."""
