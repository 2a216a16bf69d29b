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
# pip's notes about itself (a newer pip, running as root) are nothing to act on here
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore
# The student's and the instructor's JupyterLab (one person, both roles): separate workspaces,
# so neither reopens the other's tabs; the student's file browser hides the grading folders.
LAB_ROOT_FLAG = $$( [ "$$(id -u)" = 0 ] && echo --allow-root )
# (not feedback: the student's fetched feedback is in fetched/<assignment>/feedback/)
HIDDEN_FOR_STUDENTS := __pycache__ *.pyc *.pyo .DS_Store *~ autograded submitted reports \
                       gradebook.db .grading demo_class

.PHONY: setup demo test test-browser lab lab-instructor bench grade clean-grading

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	# JupyterLab's Validate: the course's handler, off the server's event loop
	$(BIN)/python -m grading.validate_server
	# nbgrader settings of this virtualenv: the exchange from any folder (grading/one_machine.py)
	$(BIN)/python -m grading.one_machine >/dev/null
	touch $(STAMP)

## Instructor demo: release every assignment, autograde simulated students, print the scores
## (one student of every kind; `make demo FULL=1`: the whole simulated class).
demo: $(STAMP)
	$(BIN)/python -m grading demo $(if $(FULL),--full)

## The whole test suite (what CI runs); the browser tests have their own target below.
test: $(STAMP)
	$(BIN)/python -m pytest -n 3 --dist loadgroup -m "not browser" --durations=25

## End-to-end tests in headless Chromium (Debian's /usr/bin/chromium) driven by Playwright.
test-browser: $(STAMP)
	$(BIN)/python -m pytest tests/browser -m browser

## JupyterLab for students, at the repository root (fetched assignments go to fetched/).
lab: $(STAMP)
	mkdir -p .exchange fetched
	$(BIN)/jupyter lab --notebook-dir=. --LabApp.workspaces_dir=.jupyter-workspaces/student \
	  $(foreach g,$(HIDDEN_FOR_STUDENTS),--ContentsManager.hide_globs='$(g)') $(LAB_ROOT_FLAG)

## JupyterLab for the instructor (formgrader), beside the student's: its own port and workspace.
lab-instructor: $(STAMP)
	mkdir -p .exchange fetched
	$(BIN)/jupyter lab --notebook-dir=. --port=8889 \
	  --LabApp.workspaces_dir=.jupyter-workspaces/instructor $(LAB_ROOT_FLAG)

clean-grading:
	rm -rf gradebook.db submitted autograded feedback demo_class reports .grading

## Benchmark (prints a table, writes bench/results.csv). Installs PyTorch (CPU) for the comparison.
bench: $(STAMP)
	$(BIN)/python -c "import torch" 2>/dev/null || $(BIN)/python -m pip install --quiet torch==2.13.0 || echo "PyTorch not installable: the benchmark runs without it"
	$(BIN)/python bench/run.py

## Grade the class in submitted/ (release, autograde, feedback, export, report in reports/).
grade: $(STAMP)
	$(BIN)/python -m grading grade-class
