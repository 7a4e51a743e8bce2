# Leadpool — `make run` serves the demo, `make test` runs the suite on SQLite then PostgreSQL.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
LEADPOOL := $(VENV)/bin/leadpool
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PYTEST_WORKERS ?= 2
PORT ?= 8000

.PHONY: run test test-sqlite test-postgres test-e2e lint bench bench-quick clean install

$(VENV)/.installed: pyproject.toml scripts/find-python
	@test -x $(PY) || "$$(scripts/find-python)" -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade "pip>=25.3"
	@# xstatic-bootstrap's build imports pkg_resources, gone from setuptools 81.
	@echo 'setuptools<81' > $(VENV)/build-constraints.txt
	PIP_BUILD_CONSTRAINT=$(CURDIR)/$(VENV)/build-constraints.txt $(PY) -m pip install -q -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

run: install
	LEADPOOL_REQUIRE_OTP=0 $(LEADPOOL) demo --port $(PORT)

test: install test-sqlite test-postgres

test-sqlite: install
	DATABASE_URL= $(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test-postgres: install
	DATABASE_URL=$(TEST_DATABASE_URL) $(PY) -m pytest -q -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check src tests bench

bench: install
	$(PY) -m bench --full

bench-quick: install
	$(PY) -m bench --quick

clean:
	rm -rf $(VENV) var build *.egg-info

.PHONY: messages
messages: install
	cd src/leadpool && $(abspath $(LEADPOOL)) makemessages -l en --ignore='static/*' --no-obsolete && $(abspath $(LEADPOOL)) compilemessages -l en -l vi
