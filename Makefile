# Two commands on a fresh machine: `make site` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
export DISABLE_MKDOCS_2_WARNING := true

.PHONY: site test lint install install-test clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed scripts/system-deps.sh tests/gateway/idp/package-lock.json tests/browser/lighthouse/package-lock.json
	scripts/system-deps.sh
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## Build both sites into site/public and site/members.
site: install
	$(BIN)/kb build
	@echo "Public site:  $(CURDIR)/site/public/index.html"
	@echo "Members site: $(CURDIR)/site/members/index.html (publish only behind sign-in)"

## Lint (ruff) and type checks (mypy, strict on kbtools/core), then the whole test suite.
test: lint
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf site $(VENV)
