"""One student *Validate*, in a process of its own: ``python -m grading.validate_run PATH``.

The Jupyter server starts this for every click on *Validate* (:mod:`grading.validate_server`),
so the notebook's execution never runs on the server's event loop, and its environment
(nbgrader sets ``NBGRADER_VALIDATING`` while it runs) never leaks into the server. It runs
nbgrader's own ``Validator`` with the configuration nbgrader's server extension would load
(the ``nbgrader_config.py`` of the working folder, then Jupyter's config folders), with two
changes: a cell that runs longer than ``--cell-timeout`` seconds is stopped and named, and the
report is :mod:`grading.validate_report`'s (summary first, short lines, hints on their own
line).

Output: with ``--json``, the document the *Validate* dialog renders (``{"success",
"value"}``), on standard output; otherwise the same report as text, for a terminal.
"""
import argparse
import json
import os
import sys
import traceback
from pathlib import Path

from jupyter_core.paths import jupyter_config_path
from nbclient.exceptions import CellTimeoutError
from nbformat import current_nbformat, read as read_nb
from nbgrader import utils
from nbgrader.apps import NbGrader
from nbgrader.nbgraderformat import SchemaTooNewError, SchemaTooOldError
from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, Execute
from nbgrader.validator import Validator
from traitlets import List

from grading import validate_report
from grading.limits import Limits


class TimedExecute(Execute):
    """nbgrader's ``Execute`` that remembers which cells ran past the time limit (numbered
    from 1, in notebook order)."""

    def preprocess(self, nb, resources=None, km=None):
        self.timed_out = []
        self._cell_numbers = {id(cell): i for i, cell in enumerate(nb.cells, 1)}
        return super().preprocess(nb, resources, km=km)

    async def _async_handle_timeout(self, timeout, cell=None):
        number = self._cell_numbers.get(id(cell))
        if number is not None and number not in self.timed_out:
            self.timed_out.append(number)
        return await super()._async_handle_timeout(timeout, cell)


class CourseValidator(Validator):
    """nbgrader's ``Validator`` that keeps the executed notebook and its timed-out cells."""

    preprocessors = List([CheckCellMetadata, ClearOutput, TimedExecute])

    def _preprocess(self, nb):
        self.executed, self.timed_out = None, []
        resources = {}
        with utils.setenv(NBGRADER_VALIDATING="1", NBGRADER_EXECUTION="validate"):
            for preprocessor in self.preprocessors:
                pp = preprocessor(parent=self)
                try:
                    nb, resources = pp.preprocess(nb, resources)
                except CellTimeoutError:
                    # a cell that ignored the interrupt: the kernel never answered again. The
                    # cells run so far keep their outputs (nbclient fills ``nb`` in place);
                    # the report marks the rest as not run
                    if not getattr(pp, "timed_out", None):
                        raise
                if isinstance(pp, TimedExecute):
                    self.timed_out = list(pp.timed_out)
        self.executed = nb
        return nb


def load_config(folder):
    """The configuration nbgrader's *Validate* server extension loads: ``nbgrader_config.py``
    in ``folder`` first, then Jupyter's config folders."""
    app = NbGrader()
    app.config_file_paths.append([str(folder)] + jupyter_config_path())
    app.load_config_file()
    return app.config


def has_tests(path):
    """True when the notebook at ``path`` has at least one nbgrader test cell."""
    nb = read_nb(str(path), as_version=current_nbformat)
    return any(validate_report.cells.is_test(cell) for cell in nb.cells)


def validate(path, *, cell_timeout=Limits.cell_timeout, config_folder=None):
    """Validate the notebook at ``path`` as a student's *Validate* does.

    Parameters
    ----------
    path : path
        The notebook.
    cell_timeout : int
        Seconds one cell may run before it is stopped (and named in the report).
    config_folder : path, optional
        Where ``nbgrader_config.py`` is looked for (default: the working folder).

    Returns
    -------
    dict
        ``{"success": bool, "value": ...}`` as nbgrader's *Validate* dialog renders it.
    """
    path = Path(path).resolve()
    try:
        if not has_tests(path):
            return validate_report.report(read_nb(str(path), as_version=current_nbformat))
        config = load_config(config_folder or os.getcwd())
        config.Execute.timeout = cell_timeout
        config.Execute.interrupt_on_timeout = True
        validator = CourseValidator(config=config)
        result = validator.validate(str(path))
    except SchemaTooOldError:
        return {"success": False, "value": (
            f"The notebook {path} uses an old version of the nbgrader metadata format. "
            f"Back up this notebook, then update it with:\n\nnbgrader update {path}\n")}
    except SchemaTooNewError:
        return {"success": False, "value": (
            f"The notebook {path} uses a newer version of the nbgrader metadata format "
            "than this nbgrader; ask your instructor which version to install.")}
    except Exception:  # the dialog shows what went wrong instead of hanging
        return {"success": False, "value": traceback.format_exc()}
    if "type_changed" in result or "changed" in result or validator.executed is None:
        return {"success": True, "value": result}
    return validate_report.report(validator.executed, timed_out=validator.timed_out,
                                  cell_timeout=cell_timeout)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m grading.validate_run",
                                     description="Validate one notebook as a student does.")
    parser.add_argument("path", help="the notebook")
    parser.add_argument("--cell-timeout", type=int, default=Limits.cell_timeout,
                        help="seconds one cell may run (default: %(default)s)")
    parser.add_argument("--json", action="store_true",
                        help="print the document the Validate dialog renders")
    args = parser.parse_args(argv)
    document = validate(args.path, cell_timeout=args.cell_timeout)
    if args.json:
        json.dump(document, sys.stdout)
        sys.stdout.write("\n")
    else:
        print(validate_report.as_text(document))
    sys.stdout.flush()
    failed = not document.get("success") or bool((document.get("value") or {}).get("failed"))
    return 1 if failed and has_tests(args.path) else 0


if __name__ == "__main__":
    sys.exit(main())
