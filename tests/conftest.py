"""Shared test settings: one BLAS thread (2 shared cores) and a headless matplotlib."""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MPLBACKEND", "Agg")
