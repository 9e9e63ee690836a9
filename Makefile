# samflode: `make run` sets up and runs the default scenario; `make test` sets up, lints and runs
# every test (the browser test needs Debian's chromium: `make browser` installs it when missing);
# `make dashboard` serves the page on http://127.0.0.1:8501 (PORT=… for another port).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= results

.PHONY: setup run test lint bench clean browser dashboard

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: setup
	$(BIN)/samflode run --out $(OUT)

# ruff, then the import-linter contracts (the layers of pyproject.toml's [tool.importlinter]).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The browser test drives Debian's Chromium (never a browser that Playwright downloads); the
# board pack prints its PDF with the same Chromium, and its tests render pages with poppler's
# pdftoppm.
browser:
	(test -x /usr/bin/chromium && command -v pdftoppm >/dev/null) || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium poppler-utils)

dashboard: setup
	$(BIN)/samflode dashboard $(if $(PORT),--port $(PORT))

# Two test processes, each taking whole files (module fixtures are built once, and tests that share
# a folder or a port stay in one process): the suite takes about 11 minutes instead of 18.
test: setup browser lint
	$(BIN)/python -m pytest -n 2 --dist loadfile

bench: setup
	$(BIN)/python benchmarks/bench_core.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .ruff_cache
