# Two commands on a fresh clone: `make run` (site with its content) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

-include .env
export

.PHONY: install migrate load run test lint check staff superuser reset-db

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

load: migrate  ## load the content fixtures; rows that already exist are kept
	$(DEV) $(PY) manage.py load_content

run: load  ## serve the site at http://127.0.0.1:$(PORT)/
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(VENV)/bin/pytest

lint: install
	$(VENV)/bin/ruff check .

check: install
	$(DEV) $(PY) manage.py check
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

staff: migrate  ## create a clinic staff account in the 'Content editors' group: make staff USERNAME=jo
	$(DEV) $(PY) manage.py create_editor "$${USERNAME:?set USERNAME=...}"

superuser: migrate
	$(DEV) $(PY) manage.py createsuperuser

reset-db: install  ## throw away the SQLite database and start again from the fixtures
	rm -f db.sqlite3
	$(MAKE) load
