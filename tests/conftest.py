"""Shared test settings: one BLAS thread (2 shared cores) and a headless matplotlib."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")


def pytest_addoption(parser):
    parser.addoption("--update-quality-report", action="store_true",
                     help="write docs/grading_quality.md and tests/catalogue/signatures/ from "
                          "this run's grading of the catalogues (tests/test_assignments.py), "
                          "instead of only checking that they are up to date")
