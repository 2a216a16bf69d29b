"""What a grade depends on, as hashes: a grade is reused only while none of it has changed.

:func:`grader_fingerprint` covers the grader: its code (:func:`code_fingerprint`: every file
of the packages ``common``, which the test cells call, and ``grading``, and the versions of
Python and of the libraries that execute and score the notebooks) and the course's own
``nbgrader_config.py``.
:func:`input_hash` adds one submission's files and its assignment's source notebooks.
"""
import hashlib
import sys
from importlib.metadata import version
from pathlib import Path

import common
import grading

PACKAGES = (common, grading)
LIBRARIES = ("nbgrader", "nbclient", "ipykernel", "numpy")


def _hash_folder(h, folder):
    for path in sorted(Path(folder).rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(folder)).encode() + b"\0")
            with open(path, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            h.update(b"\0")


def code_fingerprint():
    """Hash of the grader's code on this machine: the packages, Python and the libraries (a
    cluster worker must have the same as the machine that hands out the work)."""
    h = hashlib.sha256()
    for package in PACKAGES:
        h.update(package.__name__.encode())
        _hash_folder(h, Path(package.__file__).parent)
    h.update(sys.version.encode())
    for name in LIBRARIES:
        h.update(f"{name}=={version(name)}".encode())
    return h.hexdigest()


def grader_fingerprint(course):
    """Hash of the grader as it grades ``course`` (a :class:`grading.course.Course`): its
    code and the course's config."""
    h = hashlib.sha256(code_fingerprint().encode())
    h.update(course.config_path.read_bytes())
    return h.hexdigest()


def input_hash(course, assignment, student, fingerprint):
    """Hash of everything a grade depends on: the submission's files, the assignment's
    source folder and the grader's ``fingerprint``."""
    h = hashlib.sha256(fingerprint.encode())
    for folder in (course.submitted(student, assignment), course.source(assignment)):
        h.update(b"\1")
        if folder.exists():
            _hash_folder(h, folder)
    return h.hexdigest()
