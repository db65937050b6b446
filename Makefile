# Every target sets up what it needs itself: `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup run test check lint format typecheck cfn-lint schemas bench eval browser-deps clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python >= 3.11 is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(PY) -m boletin.local

test: $(STAMP) browser-deps
	$(PY) -m pytest -n auto --dist loadfile

# The feed stylesheet is checked in headless Chromium (Debian's package; root installs it).
browser-deps:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "The browser test needs Chromium: sudo apt-get install chromium" >&2; exit 1; fi; }

check: $(STAMP) lint typecheck cfn-lint schemas

schemas: $(STAMP)
	$(PY) scripts/generate_schemas.py --check

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

typecheck: $(STAMP)
	$(VENV)/bin/mypy shared functions

cfn-lint: $(STAMP)
	$(VENV)/bin/cfn-lint template.yaml

bench: $(STAMP)
	$(PY) scripts/bench.py

eval: $(STAMP)
	$(PY) scripts/eval_enrichment.py

clean:
	rm -rf $(VENV) .aws-sam .pytest_cache .mypy_cache .ruff_cache
