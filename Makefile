# The venv is the only thing a fresh clone needs; every target below creates it on demand.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install run sandbox doctor test faults lint format bench clean imap-server browser

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: install
	@$(BIN)/hiring-bot

sandbox: install
	@$(BIN)/hiring-bot sandbox

doctor: install
	$(BIN)/hiring-bot doctor

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

imap-server:
	./scripts/install-dovecot.sh

browser:
	./scripts/install-browser.sh

test: install lint imap-server browser
	$(BIN)/python -m pytest -W error -m "not slow"

# The full-size race, fault, bomb and fuzz scenarios (tests marked slow), on SQLite and Postgres.
faults: install imap-server browser
	$(BIN)/python -m pytest -W error -m slow

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
