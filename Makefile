# Ordinance: `make run` to use it, `make test` to test it. Both set up everything first.
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.12 python3.11 python3.10 python3; do \
	command -v $$p >/dev/null && $$p -c 'import sys; sys.exit(not (3,10) <= sys.version_info[:2] < (3,13))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
HOST := 127.0.0.1
PORT := 5000

.PHONY: run test test-sqlite test-postgres system-run system-test install install-test clean

run: system-run install
	$(BIN)/ordinance demo --if-new
	$(BIN)/ordinance serve --host $(HOST) --port $(PORT)

test: system-test install-test test-sqlite test-postgres

test-sqlite:
	$(BIN)/pytest

test-postgres:
	scripts/with-postgres.sh $(BIN)/pytest -m "not slow and not browser"

system-run:
	scripts/system-packages.sh run

system-test:
	scripts/system-packages.sh test

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Ordinance needs Python 3.10, 3.11 or 3.12 (durable-rules does not build on 3.13)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

install: $(BIN)/python
	$(BIN)/pip install -q -e .

install-test: $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'

clean:
	rm -rf $(VENV) instance *.egg-info
