# Akta: two commands for a newcomer.
#   make run   sets up, migrates, loads the demo municipality if the database is empty, serves :8000
#   make test  sets up (incl. Debian's chromium for the browser tests) and runs the whole suite
PYTHON ?= python3.11
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: run test setup system-deps bench load clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $@

setup: $(BIN)/.installed

system-deps:
	@scripts/system-deps

# The demo municipality (akta.municipality); a real installation sets these in its environment.
run: export AKTA_MUNICIPALITY_CODE ?= 2506
run: export AKTA_MUNICIPALITY_NAME ?= Arjeplog
run: setup
	@scripts/system-deps --runtime
	$(BIN)/akta migrate --noinput -v0
	$(BIN)/akta demo --if-empty
	@echo "Akta körs på http://127.0.0.1:8000/  (avsluta med Ctrl-C)"
	@# --insecure: the dev server serves the static files with DEBUG off (AKTA_DEBUG=1 turns debug pages on)
	$(BIN)/akta runserver --insecure 127.0.0.1:8000

test: setup system-deps
	$(BIN)/pytest

# Benchmarks against the database in DATABASE_URL (see docs/performance.md for the sizes used).
bench: setup
	$(BIN)/pip install -q -e '.[test,bench]'
	$(BIN)/python bench/bench_foundation.py personakt --n 200
	$(BIN)/python bench/bench_foundation.py caselist --n 50
	$(BIN)/python bench/bench_deadlines.py
	$(BIN)/python bench/bench_followup.py --year 2024

# The load test (issue 10): 50 caseworkers and 3 managers through gunicorn on 127.0.0.1 for 3 minutes,
# against the database in DATABASE_URL (PostgreSQL with `large`; docs/performance.md). locust and
# gunicorn are in the test extra, for the CI smoke (src/akta/tests/test_load_smoke.py).
load: setup
	$(BIN)/python bench/bench_load.py --users 50 --managers 3 --run-time 180s

clean:
	rm -rf $(VENV) var build *.egg-info src/*.egg-info
