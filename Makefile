# The two set-up commands of the README: `make demo` runs the main job on the embedded default
# (SQLite, bundled data, dry-run publishing) and `make test` runs the test suite. Both create the
# virtual environment in .venv and install what they need on first use.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup system-deps test lint demo docs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

setup: system-deps $(STAMP)

# Chromium renders static chart images (kaleido 1.x) and the Noto fonts cover accents, CJK and
# emoji. Installed from Debian's packages when missing and when running as root; otherwise the
# script prints the command to run.
system-deps:
	@scripts/install-system-deps

test: setup
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples scripts
	$(BIN)/ruff format --check src tests benchmarks examples scripts
	$(BIN)/mypy

demo: setup
	$(BIN)/mvbot demo

docs: $(STAMP)
	$(BIN)/mkdocs build --strict

clean:
	rm -rf $(VENV) build dist site .pytest_cache .mypy_cache .ruff_cache
