# wfspec: `make run` sets up and runs the main job; `make test` sets up and runs the tests.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run serve test lint bench setup clean

$(BIN)/wfspec: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

## the page of `wfspec serve`: built by vite from web/ into the package (only when sources changed)
WEB_SOURCES := $(wildcard web/src/*) web/index.html web/vite.config.ts web/package.json web/package-lock.json
runtime/web/static/index.html: $(WEB_SOURCES)
	cd web && npm ci --no-audit --no-fund && npm run build
	@touch $@

setup: $(BIN)/wfspec runtime/web/static/index.html

## the main job: check and compile the shipped specs, then the demo on the embedded broker
DEMO ?= --duration 30
run: setup
	$(BIN)/wfspec check specs/
	$(BIN)/wfspec compile specs/ -o build/
	$(BIN)/wfspec demo $(DEMO)

## the same demo in a browser: the workflow page of `wfspec serve` (prints its URL)
serve: setup
	$(BIN)/wfspec serve --demo

## lint, then the whole test suite
test: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

lint: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: setup
	$(BIN)/pip install --quiet -e '.[bench]'
	for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf $(VENV) build .pytest_cache
