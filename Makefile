# Two commands on a fresh clone: `make run` (site with its content) and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
DEV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}
SERVE_PORT ?= 8001
# The production stack on loopback: debug off, a throwaway secret unless DJANGO_SECRET_KEY is set,
# plain http (so no HTTPS redirect; HSTS is only ever sent on https, secure cookies stay on).
PROD := DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost DJANGO_SECURE_SSL_REDIRECT=$${DJANGO_SECURE_SSL_REDIRECT:-0}

-include .env
export

.PHONY: install migrate load run test lint check staff superuser reset-db serve bench load-test check-deploy

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

migrate: install
	$(DEV) $(PY) manage.py migrate --noinput

load: migrate  ## load the content fixtures; existing rows are kept, and nothing is added once staff edit in admin
	$(DEV) $(PY) manage.py load_content

run: load  ## serve the site at http://127.0.0.1:$(PORT)/
	$(DEV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install  ## the whole suite, browser tests included (installs Debian's chromium if it can)
	@[ -x /usr/bin/chromium ] || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
		&& apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } \
		|| echo "No /usr/bin/chromium: browser tests will be skipped (apt-get install chromium)."
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

check-deploy: install  ## the deployment checklist with production settings (as CI runs it)
	DJANGO_DEBUG=0 DJANGO_SECRET_KEY="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	DJANGO_ALLOWED_HOSTS=example.org $(PY) manage.py check --deploy --fail-level WARNING

serve: load  ## the production stack (gunicorn + WhiteNoise, debug off) at http://127.0.0.1:$(SERVE_PORT)/
	export $(PROD); \
	$(PY) manage.py collectstatic --noinput -v 0 && \
	PORT=$(SERVE_PORT) exec $(VENV)/bin/gunicorn -c config/gunicorn.conf.py

bench: install  ## requests/s, latency, SQL queries and bytes per page, cached and uncached: make bench BENCH_ARGS="--port 8047"
	$(PY) scripts/bench.py $(BENCH_ARGS)

load-test: install  ## bounded load (<= 60 s, 64 connections) on the production stack; fails on any error
	scripts/load.sh

export-content: migrate  ## write the content in the database back to fixtures/*.json (review with git diff)
	$(DEV) $(PY) manage.py export_content
