"""The feedback page a student gets (``nbgrader generate_feedback``), in the course's template.

:class:`FeedbackExporter` is nbgrader's HTML exporter with the template
``grading/templates/dl2_feedback`` (nbgrader's feedback page, extended): every test is listed
by its name with "passed", "partly passed" or "failed" instead of nbgrader's "Test cell",
extra credit an instructor gave in formgrader is said in words, and long error lines wrap.
``nbgrader_config.py`` makes it ``GenerateFeedback``'s exporter; the cells' scores and extra
credit come from :class:`grading.preprocessors.FeedbackGrades`.

MathJax comes from the pinned package ``jupyter-server-mathjax`` (MathJax 2.7), never from a
CDN: feedback pages and formgrader's submission view load it from the Jupyter server
(``<base>/static/jupyter_server_mathjax/``), or from the installed package when a feedback
page is opened from disk (``grading/templates/local_mathjax.html.j2``, used by the course's
``mathjax.html.j2`` of both templates: ``nbgrader_config.py`` puts the course's templates
before nbgrader's on the exporters' search path, which formgrader reads too).
"""
import importlib.util
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


MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"  # a configuration the package ships
# found without importing the package (its import loads the whole Jupyter server: every
# nbgrader process reads this module through nbgrader_config.py)
MATHJAX_FILE = (Path(importlib.util.find_spec("jupyter_server_mathjax").origin).resolve().parent
                / "static" / "MathJax.js")
MATHJAX_SERVED = "/static/jupyter_server_mathjax/MathJax.js"  # below the server's base URL


def mathjax_filters():
    """Jinja filters of the MathJax loader (``HTMLExporter.filters``): each ignores its
    argument and gives the configuration name, the installed file's URL, or the path the
    Jupyter server serves it at."""
    return {"dl2_mathjax_config": lambda _: MATHJAX_CONFIG,
            "dl2_mathjax_file": lambda _: MATHJAX_FILE.as_uri(),
            "dl2_mathjax_served": lambda _: MATHJAX_SERVED}


def template_dirs():
    """The base folders of the templates (``HTMLExporter.extra_template_basedirs``): the
    course's first (``dl2_feedback``, and ``formgrade/mathjax.html.j2`` shadowing nbconvert's
    in formgrader's submission view), then nbgrader's."""
    return [str(TEMPLATES), str(NBGRADER_TEMPLATES)]


def template_paths():
    """Folders searched for files by name (``HTMLExporter.extra_template_paths``): nbgrader's
    templates, for ``{% extends 'feedback/index.html.j2' %}``, its Bootstrap CSS, and the
    course's templates (``local_mathjax.html.j2``)."""
    return [str(NBGRADER_TEMPLATES), str(BOOTSTRAP_CSS), str(TEMPLATES)]


class FeedbackExporter(HTMLExporter):
    """nbgrader's feedback exporter with the course's template; configure it as
    ``c.FeedbackExporter.template_name``, ``extra_template_basedirs`` and
    ``extra_template_paths`` (nbgrader's
    GenerateFeedback sets those traits of every HTMLExporter, and only a setting of this class
    itself takes precedence)."""
