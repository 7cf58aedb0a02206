"""config/postgresql: the client-side read limit is DATABASE_STATEMENT_TIMEOUT_MS / 1000 + 0.5 s. In
PostgreSQL statement_timeout=0 means "no limit" (what an operator sets for a long migration or an export:
DATABASE_STATEMENT_TIMEOUT_MS=0 manage.py migrate); here it makes every query fail after 0.5 s."""

import os

import pytest

from tests.deployment.servers import manage, production_env

SLOW = (
    "from django.db import connection\n"
    "with connection.cursor() as c:\n"
    "    c.execute('SHOW statement_timeout'); print('statement_timeout', c.fetchone()[0])\n"
    "    c.execute('SELECT pg_sleep(1.2)')\n"
    "print('slow statement finished')\n"
)


def test_statement_timeout_zero_means_no_limit_not_half_a_second():
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL (DATABASE_URL=postgres://...)")
    env = production_env(DATABASE_URL=url, DATABASE_STATEMENT_TIMEOUT_MS="0")
    out = manage(env, "shell", "-c", SLOW, timeout=60)
    assert "slow statement finished" in out
