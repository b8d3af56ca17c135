# TradeDeck — `make run` serves the app, `make test` runs the tests (both idempotent).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
VENDOR := src/tradedeck/web/static/vendor
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install vendor lint format bench clean e2e fuzz

run: install vendor
	$(VENV)/bin/tradedeck run --host $(HOST) --port $(PORT)

test: install vendor
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/pytest -q

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c requirements.lock -e '.[dev]'
	touch $(STAMP)

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

vendor: $(VENDOR)/.copied

$(VENDOR)/.copied: node_modules/.package-lock.json
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bootstrap-icons $(VENDOR)/htmx $(VENDOR)/lightweight-charts
	cp -r node_modules/bootstrap/dist/css node_modules/bootstrap/dist/js $(VENDOR)/bootstrap/
	cp -r node_modules/bootstrap-icons/font $(VENDOR)/bootstrap-icons/
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx/
	cp node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.mjs \
	   node_modules/lightweight-charts/dist/lightweight-charts.production.mjs $(VENDOR)/lightweight-charts/
	touch $@

lint:
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/ruff format --check src tests bench

format:
	$(VENV)/bin/ruff format src tests bench

# Schemathesis over /api/v1/openapi.json with many more examples per operation than `make test`.
FUZZ_EXAMPLES ?= 200
fuzz: install
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(VENV)/bin/pytest -q -p no:cacheprovider tests/api/test_openapi_fuzz.py

bench: install vendor
	for b in analytics analytics_api price_engine candles_api orders_api chart_render; do $(PY) bench/$$b.py || exit 1; done

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache
