"""grading/nbgrader_patches.py: the metadata check with the schema checked once; scratch gradebooks."""
import copy
import subprocess
import sys

import jsonschema
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from traitlets.config.loader import PyFileConfigLoader

from grading import cells, nbgrader_patches
from grading.course import REPO, RunOptions
from grading.limits import Limits
from grading.preprocessors import ScratchGradebook


def _metadata_cells():
    for folder in ("source", "release"):
        for path in sorted((REPO / folder).glob("*/*.ipynb")):
            for cell in cells.read(path).cells:
                if "nbgrader" in cell.metadata:
                    yield cell


SCHEMA = MetadataValidator().schema
GOOD = [dict(c.metadata["nbgrader"]) for c in _metadata_cells()]
BAD = [
    {**GOOD[0], "points": "two"},
    {**GOOD[0], "grade": "yes"},
    {k: v for k, v in GOOD[0].items() if k != "locked"},
    {**GOOD[0], "grade_id": "has spaces"},
    {**GOOD[0], "points": -1},
    {**GOOD[0], "schema_version": "3"},
    {**GOOD[0], "cell_type": "raw_html"},
    [],
]


def _outcome(validate, metadata):
    try:
        validate(copy.deepcopy(metadata), SCHEMA)
    except jsonschema.ValidationError as err:
        return err.message, list(err.path)
    return None


def test_the_course_has_cells_to_check():
    assert len(GOOD) > 100


def test_same_verdict_as_jsonschema_validate():
    differ = [m for m in GOOD + BAD
              if _outcome(nbgrader_patches.validate, m) != _outcome(jsonschema.validate, m)]
    assert not differ, f"verdicts differ from jsonschema.validate for {differ[:3]}"


def test_every_bad_cell_is_rejected():
    assert all(_outcome(nbgrader_patches.validate, m) is not None for m in BAD)


def test_nbgrader_uses_it_and_checks_the_schema_once(monkeypatch):
    nbgrader_patches.cache_metadata_validator()
    nbgrader_patches._VALIDATORS.clear()
    cls = jsonschema.validators.validator_for(SCHEMA)
    checks = []
    real_check = cls.check_schema.__func__
    monkeypatch.setattr(cls, "check_schema",
                        classmethod(lambda c, s, **kw: checks.append(1) or real_check(c, s, **kw)))
    path = REPO / "source" / "01_autodiff" / "01_autodiff.ipynb"
    nb = cells.read(path)
    validator = MetadataValidator()
    validator.validate_nb(nb)
    validator.validate_nb(nb)
    assert len(checks) == 1, f"the schema was checked {len(checks)} times"
    cell = next(c for c in nb.cells if cells.is_test(c))
    cell.metadata["nbgrader"]["points"] = "ten"
    with pytest.raises(jsonschema.ValidationError, match="'ten' is not of type 'number'"):
        validator.validate_nb(nb)


CHECK_SYNC = """
import sys
from traitlets.config import Config
from sqlalchemy import create_engine, text
from grading.preprocessors import ScratchGradebook
config = Config()
if sys.argv[2] != "default":
    config.ScratchGradebook.enabled = sys.argv[2] == "True"
ScratchGradebook(config=config)(None, {})
with create_engine("sqlite:///" + sys.argv[1]).connect() as conn:
    print(conn.execute(text("PRAGMA synchronous")).scalar())
"""


@pytest.mark.parametrize("enabled,expected", [("default", "2"), ("False", "2"), ("True", "0")])
def test_only_sandbox_gradebooks_skip_fsync(tmp_path, enabled, expected):
    # 2 = FULL, SQLite's default: the course gradebook waits for the disk on every commit;
    # 0 = OFF: only in an nbgrader run with ScratchGradebook.enabled (a class-grading sandbox)
    out = subprocess.run([sys.executable, "-c", CHECK_SYNC, str(tmp_path / "gradebook.db"), enabled],
                         capture_output=True, text=True, check=True).stdout
    assert out.split()[-1] == expected


def test_class_grading_marks_its_sandbox_runs():
    argv = RunOptions.for_sandbox(Limits()).argv()
    assert "--ScratchGradebook.enabled=True" in argv
    assert "--ScratchGradebook.enabled=True" not in RunOptions().argv()


def test_the_course_config_lists_the_scratch_switch_first():
    """It must act before SaveAutoGrades opens the gradebook of the notebook."""
    config = PyFileConfigLoader("nbgrader_config.py", path=str(REPO)).load_config()
    assert config.Autograde.autograde_preprocessors[0] is ScratchGradebook
