"""grading/nbgrader_patches.py: the metadata check with the schema checked once; scratch gradebooks."""
import copy
import os
import subprocess
import sys

import jsonschema
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from grading import classroom, nbgrader_patches, pipeline


def _metadata_cells():
    for folder in ("source", "release"):
        for path in sorted((pipeline.REPO / folder).glob("*/*.ipynb")):
            for cell in pipeline.read_notebook(path).cells:
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
    path = pipeline.REPO / "source" / "01_autodiff" / "01_autodiff.ipynb"
    nb = pipeline.read_notebook(path)
    validator = MetadataValidator()
    validator.validate_nb(nb)
    validator.validate_nb(nb)
    assert len(checks) == 1, f"the schema was checked {len(checks)} times"
    cell = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    cell.metadata["nbgrader"]["points"] = "ten"
    with pytest.raises(jsonschema.ValidationError, match="'ten' is not of type 'number'"):
        validator.validate_nb(nb)


CHECK_SYNC = """
import runpy, sys
from traitlets.config import Config
from sqlalchemy import create_engine, text
runpy.run_path(sys.argv[1], init_globals={"get_config": Config})
with create_engine("sqlite:///" + sys.argv[2]).connect() as conn:
    print(conn.execute(text("PRAGMA synchronous")).scalar())
"""


@pytest.mark.parametrize("scratch,expected", [(None, "2"), ("1", "0")])
def test_only_sandbox_gradebooks_skip_fsync(tmp_path, scratch, expected):
    # 2 = FULL, SQLite's default: the course gradebook waits for the disk on every commit;
    # 0 = OFF: only when classroom.py marks the nbgrader run as a sandbox's
    env = {k: v for k, v in os.environ.items() if k != nbgrader_patches.SCRATCH_GRADEBOOK_ENV}
    if scratch:
        env[nbgrader_patches.SCRATCH_GRADEBOOK_ENV] = scratch
    out = subprocess.run([sys.executable, "-c", CHECK_SYNC, str(pipeline.REPO / "nbgrader_config.py"),
                          str(tmp_path / "gradebook.db")], env=env, capture_output=True, text=True,
                         check=True).stdout
    assert out.split()[-1] == expected


def test_class_grading_marks_its_sandbox_runs(tmp_path, monkeypatch):
    seen = {}
    monkeypatch.setattr(classroom, "run_limited",
                        lambda cmd, cwd, timeout, memory_bytes, env=None: seen.update(env) or (0, ""))
    classroom._autograde(tmp_path, "01_autodiff", classroom.Limits(), 1)
    assert seen.get(nbgrader_patches.SCRATCH_GRADEBOOK_ENV) == "1"
