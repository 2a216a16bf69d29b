"""grading/nbgrader_patches.py: nbgrader's cell-metadata check, with the schema checked once."""
import copy

import jsonschema
import pytest
from nbgrader.nbgraderformat import MetadataValidator

from grading import nbgrader_patches, pipeline


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
