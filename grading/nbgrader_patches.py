"""A speed fix for nbgrader, applied by ``nbgrader_config.py`` in every nbgrader command.

nbgrader checks the ``nbgrader`` metadata of every cell, on every read of a notebook, with
``jsonschema.validate(metadata, schema)`` (``nbgrader/nbgraderformat/common.py``). That
function first validates the *schema itself* against the JSON Schema meta-schema, then builds
a new validator, every time: about 5 ms a cell, 90 % of it the schema check. ``nbgrader
autograde`` reads each notebook twice, so a 38-cell assignment pays ~0.35 s per submission,
about a third of nbgrader's own time per notebook (a class of 100 students and 11 assignments
pays it 1,100 times; students pay it in every ``nbgrader validate``).

:func:`cache_metadata_validator` makes nbgrader's module use a ``validate`` that checks each
schema once and keeps its validator. The cell metadata is still validated, with the same
validator class, and a bad cell raises the same ``jsonschema.ValidationError`` (the best match,
as ``jsonschema.validate`` picks it).
"""
import json
import types

import jsonschema

_VALIDATORS = {}  # schema as canonical JSON -> validator


def validate(instance, schema):
    """``jsonschema.validate(instance, schema)``, checking each distinct schema only once."""
    key = json.dumps(schema, sort_keys=True)
    validator = _VALIDATORS.get(key)
    if validator is None:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
        validator = _VALIDATORS[key] = cls(schema)
    error = jsonschema.exceptions.best_match(validator.iter_errors(instance))
    if error is not None:
        raise error


def cache_metadata_validator():
    """Make nbgrader's cell-metadata validation use :func:`validate` (idempotent)."""
    from nbgrader.nbgraderformat import common

    if getattr(common.jsonschema, "validate", None) is not validate:
        common.jsonschema = types.SimpleNamespace(validate=validate)
