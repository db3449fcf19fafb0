# The book's two commands:  `make book` builds the website, `make test` runs
# the tests. Both set up everything they need on a fresh machine first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: book test test-fast setup browser benchmark clean lint strip

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python scripts/vendor_mathjax.py
	touch $(STAMP)

# The executed static website, in _build/html (open _build/html/index.html).
book: setup
	$(BIN)/python scripts/vendor_mathjax.py
	$(BIN)/jupyter-book build . -W -n --keep-going

# Chromium for the browser test (Debian's package; needs root or sudo).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && \
	  $$SUDO apt-get install -y -qq chromium >/dev/null; }

# Everything: unit tests, the chapters executed, the site built with zero
# warnings, the browser test and the Colab-like test.
test: setup browser
	$(BIN)/python -m pytest -n 2 --dist loadfile -ra

# Only the package's unit tests (seconds).
test-fast: setup
	$(BIN)/python -m pytest tests -m "not notebooks and not site" -q

benchmark: setup
	$(BIN)/python benchmarks/airfoil_suite.py

lint: setup
	$(BIN)/ruff check d2lmini tests benchmarks scripts chapters

# Remove outputs from notebooks before committing them.
strip: setup
	$(BIN)/nbstripout --keep-id chapters/*.ipynb

clean:
	rm -rf _build test-output
