# Every target works on a fresh machine: it creates .venv and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-fast lint demo docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[embedded,test,dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/pytest -q

# The pure tests: comparators, values and contracts on models built in memory, no server.
test-fast: $(STAMP)
	$(BIN)/pytest -q tests/pure tests/test_contracts.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

demo: $(STAMP)
	$(BIN)/schemaverify check --migrations examples/supabase/migrations --specs specs

# The verified reference of the example: regenerated in place (only its generated regions;
# the prose around them stays), with the example app's code on each table (--code), checked
# by tests/test_doc.py and `doc --check` in CI.
docs: $(STAMP)
	$(BIN)/schemaverify doc --migrations examples/supabase/migrations --specs specs \
		--code examples/shop \
		--title "Database schema reference (verified)" -o docs/REFERENCE_DATABASE_SCHEMA.md

bench: $(STAMP)
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
