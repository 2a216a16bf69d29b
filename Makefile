# One-command set-up: every target below creates .venv if needed and installs the pinned
# requirements plus the `common` package (editable). Re-running is fast: the install step is
# skipped while requirements.txt and pyproject.toml are unchanged.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export OPENBLAS_NUM_THREADS ?= 1
# nbgrader runs helper programs (alembic, jupyter) by name: put the venv first on PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: setup demo test lab bench clean-grading

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

## Instructor demo: release every assignment, autograde simulated students, print the scores.
demo: $(STAMP)
	$(BIN)/python -m grading demo

## The whole test suite (what CI runs).
test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadgroup

## JupyterLab for students, at the repository root.
lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=.

clean-grading:
	rm -rf gradebook.db submitted autograded feedback demo_class reports

## Benchmark (prints a table, writes bench/results.csv). Installs PyTorch (CPU) for the comparison.
bench: $(STAMP)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet torch==2.13.0 || echo "PyTorch not installable: the benchmark runs without it"
	$(BIN)/python bench/run.py
