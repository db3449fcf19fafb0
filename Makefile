# The book's two commands:  `make book` builds the website, `make test` runs
# the tests. Both set up everything they need on a fresh machine first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test test-fast setup browser benchmark stalls clean lint strip lab

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The executed static website, in _build/html (open _build/html/index.html).
# First the chapters whose outputs _build/.jupyter_cache lacks run, two at
# once (a failing or stalled cell stops here, named); the cache is keyed on
# the notebooks and on d2lmini, its data and requirements.txt. The build
# then reads every chapter's outputs from the cache.
book: setup
	$(BIN)/python scripts/book_execution.py --cache _build/.jupyter_cache
	$(BIN)/jupyter-book build . -W -n --keep-going

# Chromium for the browser test (Debian's package; needs root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Everything: ruff first (under a second), then the unit tests, every
# chapter executed once (and cached for the site), the site built with
# zero warnings, the browser test and the
# Colab-like tests. Two workers for two cores; each kernel gets one torch
# thread, so two chapters at once do not fight over the cores.
test: setup browser
	$(BIN)/ruff check $(LINT_PATHS)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/python -m pytest -n 2 --dist load -ra --durations=15

# Each chapter of _toc.yml executed 3 times, two at once, as `make test`
# executes them: prints the times and fails if one execution took more
# than twice its chapter's median.
stalls: setup
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 \
	$(BIN)/python benchmarks/stalls.py --rounds 3

# Only the package's unit tests (seconds).
test-fast: setup
	$(BIN)/python -m pytest tests -m "not notebooks and not site" -q

# The chapters in JupyterLab, for students (scripts/lab.py): copies in
# work/ (git-ignored; an existing copy is never replaced), trusted, the
# kernel in .venv, nothing fetched. JupyterLab's own options go in
# LAB_ARGS, e.g. `make lab LAB_ARGS="--no-browser --port 8890"`.
lab: setup
	$(BIN)/python scripts/lab.py $(LAB_ARGS)

benchmark: setup
	$(BIN)/python benchmarks/airfoil_suite.py

# ruff (well under a second); `make test` runs it first, so CI does too.
LINT_PATHS := d2lmini tests benchmarks scripts chapters

lint: setup
	$(BIN)/ruff check $(LINT_PATHS)

# Remove outputs from notebooks before committing them.
strip: setup
	$(BIN)/nbstripout --keep-id chapters/*.ipynb

clean:
	rm -rf _build test-output
