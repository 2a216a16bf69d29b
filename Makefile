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

.PHONY: setup demo test test-browser lab bench grade clean-grading

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# JupyterLab's Validate: the course's handler, off the server's event loop
	$(BIN)/python -m grading.validate_server
	touch $(STAMP)

## Instructor demo: release every assignment, autograde simulated students, print the scores.
demo: $(STAMP)
	$(BIN)/python -m grading demo

## The whole test suite (what CI runs); the browser tests have their own target below.
test: $(STAMP)
	$(BIN)/python -m pytest -n 3 --dist loadgroup -m "not browser" --durations=25

## End-to-end tests in headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.
test-browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser -m browser

## JupyterLab for students, at the repository root.
lab: $(STAMP)
	mkdir -p .exchange
	$(BIN)/jupyter lab --notebook-dir=. $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

clean-grading:
	rm -rf gradebook.db submitted autograded feedback demo_class reports .grading

## Benchmark (prints a table, writes bench/results.csv). Installs PyTorch (CPU) for the comparison.
bench: $(STAMP)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet torch==2.13.0 || echo "PyTorch not installable: the benchmark runs without it"
	$(BIN)/python bench/run.py

## Grade the class in submitted/ (release, autograde, feedback, export, report in reports/).
grade: $(STAMP)
	$(BIN)/python -m grading grade-class
