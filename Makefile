# The venv is the only thing a fresh clone needs; every target below creates it on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run doctor test lint format bench clean imap-server

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	@echo "Set your internship windows in $${WINDOWS_FILE:-windows.toml} first; 'make doctor' checks the whole set-up."
	$(BIN)/hiring-bot

doctor: install
	$(BIN)/hiring-bot doctor

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

imap-server:
	./scripts/install-dovecot.sh

test: install lint imap-server
	$(BIN)/python -m pytest -W error

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
