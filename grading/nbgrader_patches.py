"""Speed fixes for nbgrader, applied by ``nbgrader_config.py``.

1. In every nbgrader command, cell metadata is validated without re-checking the schema.
   nbgrader checks the ``nbgrader`` metadata of every cell, on every read of a notebook, with
   ``jsonschema.validate(metadata, schema)`` (``nbgrader/nbgraderformat/common.py``). That
   function first validates the *schema itself* against the JSON Schema meta-schema, then
   builds a new validator, every time. Profiled on one ``nbgrader autograde`` of a 01_autodiff
   submission (76 such calls): 0.70 s before (on a busy machine), 0.03 s with
   :func:`cache_metadata_validator`, which makes nbgrader's module use a ``validate`` that
   checks each schema once and keeps its validator. The metadata is still validated, with the same validator class, and a bad cell
   raises the same ``jsonschema.ValidationError`` (the best match, as ``jsonschema.validate``
   picks it). Students' ``nbgrader validate`` gains as much.
2. In the sandbox course folders of class grading only, the scratch gradebooks are written
   without waiting for the disk (:func:`scratch_gradebooks_without_fsync`).
"""
import json
import types

import jsonschema

SCRATCH_GRADEBOOK_ENV = "DL2_SCRATCH_GRADEBOOK"  # set by grading/classroom.py for its sandboxes

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


def no_fsync(dbapi_connection, connection_record=None):
    """SQLAlchemy ``connect`` listener: SQLite stops waiting for the disk on every commit."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def scratch_gradebooks_without_fsync():
    """Every SQLite database this process opens from now on commits without ``fsync``.

    Only for the sandbox nbgrader runs of class grading (``grading/classroom.py`` sets
    ``DL2_SCRATCH_GRADEBOOK=1``): their gradebook is a scratch copy, rebuilt from the template
    on every run, from which the scores are copied into the course gradebook; that one is never
    opened with this setting. nbgrader commits about 50 times per submission, ~0.7 ms each
    on this machine's disk.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", no_fsync):
        event.listen(Engine, "connect", no_fsync)
