#!/usr/bin/env bash
# Bounded load test of the production stack on loopback (make load-test).
#
# Starts its own stack (throwaway SQLite database unless DATABASE_URL is set; gunicorn, debug off) and
# puts at most 60 s of load in all, 64 connections, on every page that answers 200 plus a static file.
# Prints requests/s, p99 and error counts per URL; exits 1 if any response was not 2xx or any socket
# error occurred. Needs wrk (apt-get install -y wrk, or ../shared/tools/install.sh); without it a
# slower Python client is used.
#   LOAD_PORT (default 8012)  LOAD_CONNECTIONS (default 64, at most 256)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
exec "$PY" scripts/bench.py load --port "${LOAD_PORT:-8012}" --connections "${LOAD_CONNECTIONS:-64}" --seconds 30 "$@"
