"""Speed fixes for nbgrader's own costs (measurements: README, "Performance").

1. :func:`cache_metadata_validator`, called once by ``nbgrader_config.py``: nbgrader checks
   the ``nbgrader`` metadata of every cell, on every read of a notebook, with
   ``jsonschema.validate(metadata, schema)`` (``nbgrader/nbgraderformat/common.py``), which
   first validates the *schema itself* against the meta-schema and builds a new validator,
   every time. Here nbgrader's module uses a :func:`validate` that checks each schema once and
   keeps its validator. The metadata is still validated, with the same validator class, and a
   bad cell raises the same ``jsonschema.ValidationError`` (the best match, as
   ``jsonschema.validate`` picks it). Students' ``nbgrader validate`` gains as much.
2. :func:`scratch_gradebooks_without_fsync`: the sandbox copies of class grading commit to
   SQLite without waiting for the disk; :class:`grading.preprocessors.ScratchGradebook`
   applies it when its ``enabled`` trait is set.
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


def no_fsync(dbapi_connection, connection_record=None):
    """SQLAlchemy ``connect`` listener: SQLite stops waiting for the disk on every commit."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def scratch_gradebooks_without_fsync():
    """Every SQLite database this process opens from now on commits without ``fsync``.

    Only for the sandbox nbgrader runs of class grading: their gradebook is a scratch copy,
    rebuilt from the template on every run, from which the scores are copied into the course
    gradebook; that one is never opened in such a process. nbgrader commits some fifty times
    per submission.
    """
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", no_fsync):
        event.listen(Engine, "connect", no_fsync)
