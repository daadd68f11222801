# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test venv lint format worker clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 …'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# The demo (role accounts with the password "demo", one of them PTL) is loaded into the embedded
# database only, or where DEMO=1 asks: never by surprise into whatever DATABASE_URL names.
# DEMO=0 never loads it.
LOAD_DEMO := $(if $(filter 0 no false,$(DEMO)),,$(if $(filter 1 yes true,$(DEMO)),yes,$(if $(DATABASE_URL),,yes)))

# Embedded by default (SQLite, Celery eager). With DATABASE_URL/REDIS_URL set, PostgreSQL and a real
# Celery worker + beat (started here, stopped with the server).
run: venv
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput
ifeq ($(LOAD_DEMO),yes)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_demo
else
	@echo "Not loading the demo accounts (DATABASE_URL is set, or DEMO=0): make run DEMO=1 loads them."
endif
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker with beat"; \
		DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/celery -A planner worker -B --loglevel=INFO & \
		trap "kill $$! 2>/dev/null" EXIT INT TERM; \
		DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000; \
	else \
		DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:8000; \
	fi

test: venv
	$(BIN)/python -m pytest

# Style, formatting and the app layers (import-linter contract in pyproject.toml).
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
