# The two commands: `make run` and `make test`. Everything else is a helper for them.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

# `make run PORT=8123` serves on another port.
PORT ?= 8000
# `make data`: the real data the importer and specs tests read, at the commits of the snapshots
# the project is tested against (../shared/data/*/SNAPSHOT), for a clone with nothing beside it.
RELEASES_REPO ?= https://opendev.org/openstack/releases.git
RELEASES_COMMIT ?= 02df7c9a3cc39cf886c8c1b8181d5e4ed96781c9
RELEASES_DATA ?= $(or $(PLANNER_RELEASES_DATA),var/openstack-releases)
SPECS_REPO ?= https://opendev.org/openstack/tripleo-specs.git
SPECS_COMMIT ?= e614e6c41793546c762f79384931ec316171ba58
SPECS_DATA ?= $(or $(PLANNER_SPECS_DATA),var/tripleo-specs)

.PHONY: run test data venv lint format worker clean

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
# With the demo, the server's "today" is the demo's day (PLANNER_TODAY, 12 January 2017): the
# dashboard opens on it, and FFEs are requested, granted and merged as on that day. Unset
# otherwise: production's today is the real date.
DEMO_TODAY := 2017-01-12
RUN_ENV := $(if $(filter yes,$(LOAD_DEMO)),PLANNER_TODAY=$${PLANNER_TODAY:-$(DEMO_TODAY)},)

run: venv
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput
ifeq ($(LOAD_DEMO),yes)
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_demo
	@echo "Demo: the server's today is $(DEMO_TODAY) (PLANNER_TODAY)."
else
	@echo "Not loading the demo accounts (DATABASE_URL is set, or DEMO=0): make run DEMO=1 loads them."
endif
	@if [ -n "$$REDIS_URL" ]; then \
		echo "REDIS_URL is set: starting a Celery worker with beat"; \
		$(RUN_ENV) DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/celery -A planner worker -B --loglevel=INFO & \
		trap "kill $$! 2>/dev/null" EXIT INT TERM; \
		$(RUN_ENV) DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT); \
	else \
		$(RUN_ENV) DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver 127.0.0.1:$(PORT); \
	fi

test: venv
	$(BIN)/python -m pytest

# Tests that need the real data skip without it (saying so) and fail under REQUIRE_SERVICES=1.
# $(call checkout,REPO,COMMIT,DIR): a shallow fetch of the one commit (a full one if the server
# refuses), checked out; nothing to do when DIR is already there.
define checkout
	@if [ "$$(git -C "$(3)" rev-parse HEAD 2>/dev/null)" = "$(2)" ]; then \
		echo "$(3) is already at $(2)"; \
	else \
		set -e; mkdir -p "$(3)"; git -C "$(3)" init -q; \
		git -C "$(3)" fetch -q --depth 1 "$(1)" "$(2)" 2>/dev/null || git -C "$(3)" fetch -q "$(1)"; \
		git -C "$(3)" -c advice.detachedHead=false checkout -q "$(2)"; \
		echo "$(1) at $(2) is in $(3)"; \
	fi
endef

data:
	$(call checkout,$(RELEASES_REPO),$(RELEASES_COMMIT),$(RELEASES_DATA))
	$(call checkout,$(SPECS_REPO),$(SPECS_COMMIT),$(SPECS_DATA))

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
