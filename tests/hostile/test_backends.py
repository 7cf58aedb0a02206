"""Hostile tests with real gunicorn servers (tests/deployment/servers.py) and backends that fail while the
site is running: a PostgreSQL that hangs once connections are open, a table lock, a Redis outage during a
fixture reload. PostgreSQL-only tests skip on SQLite (run with DATABASE_URL=postgres://...)."""

import json
import secrets
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.deployment.servers import BASE_DIR, app_servers, manage, production_env
from tests.deployment.test_servers import REDIS_URL, cache_prefix, database_url, redis_client  # noqa: F401

from .switch import FORWARD, HANG, RESET, Switch

PAGE_TIMEOUT = 2.0  # what the brief asks of /healthz: nothing hangs longer
# settings.DATABASE_READ_TIMEOUT (3.5 s) for the health check of the kept connection, then the 2 s connect
# timeout for a new one: the longest a page waits on a database that stopped answering.
READ_TIMEOUT = 5.5


def needs_postgres(url):
    if not url.startswith("postgres"):
        pytest.skip("needs PostgreSQL")


def through(switch, url):
    """The database URL, with host:port replaced by the switch's."""
    head, _, rest = url.partition("@")
    _, _, dbname = rest.partition("/")
    return f"{head}@127.0.0.1:{switch.port}/{dbname}"


def timed(server, path, timeout=8):
    start = time.monotonic()
    try:
        status = server.get(path, timeout=timeout)[0]
    except OSError as error:  # the client gave up: it hung
        status = type(error).__name__
    return status, time.monotonic() - start


def test_a_database_that_hangs_after_connections_are_open_does_not_hang_pages(tmp_path, database_url):  # noqa: F811
    """CONN_MAX_AGE=60 keeps each thread's connection open between requests. When PostgreSQL then stops
    answering (a network partition, a frozen VM, a stalled failover), connect_timeout does not apply (the
    connection is already open), statement_timeout is enforced by the server that is not answering, and
    psycopg has no read timeout: the request waits on the socket for ever."""
    needs_postgres(database_url)
    pg_port = int(database_url.rsplit(":", 1)[1].split("/")[0]) if ":" in database_url.split("@")[-1] else 5432
    switch = Switch(pg_port)
    try:
        env = production_env(DATABASE_URL=through(switch, database_url))
        with app_servers(env, tmp_path, count=1, workers=1, threads=2) as (server,):
            # Free-text FAQ searches are never cached: every one reaches the database. Warm both threads.
            with ThreadPoolExecutor(max_workers=4) as pool:
                assert all(s == 200 for s, _ in pool.map(lambda n: timed(server, f"/faq/?q=a{n}"), range(8)))
            switch.set(HANG)
            status, took = timed(server, "/faq/?q=cost")
            print(f"database hung after connecting: a page answered {status} in {took:.2f} s")
            switch.set(FORWARD)  # let any stuck request finish before the server stops
            assert took < READ_TIMEOUT + 1 and status == 503, f"page: {status} after {took:.1f} s"
    finally:
        switch.set(FORWARD)
        time.sleep(0.5)
        switch.close()


def test_a_database_that_hangs_after_connecting_blocks_neither_health_nor_static(tmp_path, database_url):  # noqa: F811
    needs_postgres(database_url)
    pg_port = int(database_url.rsplit(":", 1)[1].split("/")[0]) if ":" in database_url.split("@")[-1] else 5432
    switch = Switch(pg_port)
    try:
        env = production_env(DATABASE_URL=through(switch, database_url))
        with app_servers(env, tmp_path, count=1, workers=1, threads=4) as (server,):
            with ThreadPoolExecutor(max_workers=8) as pool:
                assert all(s == 200 for s, _ in pool.map(lambda n: timed(server, f"/faq/?q=b{n}"), range(16)))
            switch.set(HANG)
            with ThreadPoolExecutor(max_workers=8) as pool:
                pages = [pool.submit(timed, server, f"/faq/?q=c{n}", 6) for n in range(4)]  # four patients
                time.sleep(0.3)
                health_f = pool.submit(timed, server, "/healthz", 9)
                static_f = pool.submit(timed, server, "/robots.txt", 9)
                health, static = health_f.result(timeout=10), static_f.result(timeout=10)
                switch.set(FORWARD)
                [page.result(timeout=15) for page in pages]
            print(f"database hung after connecting, 4 pages out: /healthz {health}, robots.txt {static}")
            # Every thread is in a page waiting on the database: /healthz queues behind them, for at most those
            # pages' own limit, and then answers that the database is out.
            assert health[1] < READ_TIMEOUT + 1 and health[0] == 503, f"/healthz: {health}"
            # Every thread is in a page waiting for the database; robots.txt queues behind them for at most the
            # client-side read timeout (statement timeout + 2 s), never for ever.
            assert static[1] < READ_TIMEOUT + 0.5 and static[0] == 200, f"robots.txt: {static}"
    finally:
        switch.set(FORWARD)
        time.sleep(0.5)
        switch.close()


def test_a_locked_table_does_not_hold_pages_for_ten_seconds_while_health_says_ok(tmp_path, database_url):  # noqa: F811
    """A long ACCESS EXCLUSIVE lock (a migration, VACUUM FULL, a stuck transaction) on one content table:
    every page that reads it waits for statement_timeout (10 s), while /healthz (SELECT 1) answers 200, and
    a few such pages use up every worker thread."""
    needs_postgres(database_url)
    import psycopg

    env = production_env(DATABASE_URL=database_url)
    with app_servers(env, tmp_path, count=1, workers=1, threads=4) as (server,):
        with psycopg.connect(database_url.replace("postgres://", "postgresql://", 1)) as conn:
            conn.execute("LOCK TABLE treatments_treatment IN ACCESS EXCLUSIVE MODE")
            try:
                with ThreadPoolExecutor(max_workers=8) as pool:
                    pages = [pool.submit(timed, server, f"/faq/?q=d{n}", 14) for n in range(4)]
                    time.sleep(0.5)
                    health_f = pool.submit(timed, server, "/healthz", 14)
                    static_f = pool.submit(timed, server, "/robots.txt", 14)
                    health, static = health_f.result(timeout=20), static_f.result(timeout=20)
                    results = [page.result(timeout=30) for page in pages]
            finally:
                conn.rollback()
        print(f"treatment table locked: pages {results}, /healthz {health}, robots.txt {static}")
        # The statement timeout (3 s) cancels the waiting pages; robots.txt queues behind them no longer than
        # that. /healthz may say the database answers (it does: one table is locked, SELECT 1 works).
        assert static[1] < 3.5, f"robots.txt waited {static[1]:.1f} s behind pages stuck on a lock"
        assert health[1] < 3.5, f"/healthz waited {health[1]:.1f} s"
        assert all(took < 5 and status == 503 for status, took in results), f"pages held for {results}"


def test_a_hung_database_from_the_start_with_a_few_patients_does_not_block_static_or_health(tmp_path, database_url):  # noqa: F811
    """The issue asks that a hung backend never block static files or the health check. Each page request costs
    a thread connect_timeout (2 s); eight patients at once hold all four threads for about 4 s."""
    from tests.deployment.servers import HungService

    hung = HungService()
    try:
        env = production_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{hung.port}/treatments")
        with app_servers(env, tmp_path, count=1, workers=1, threads=4) as (server,), ThreadPoolExecutor(10) as pool:
            pages = [pool.submit(timed, server, f"/treatments/?n={n}", 15) for n in range(8)]
            time.sleep(0.2)
            health_f = pool.submit(timed, server, "/healthz", 10)
            static_f = pool.submit(timed, server, "/robots.txt", 10)
            health, static = health_f.result(timeout=15), static_f.result(timeout=15)
            [page.result(timeout=30) for page in pages]
        print(f"hung database, 8 patients: /healthz {health}, robots.txt {static}")
        # Four threads each wait the 2 s connect timeout once; after the first failure pages answer 503 at once
        # (the short circuit), so robots.txt and /healthz wait about one connect timeout at worst.
        assert static[1] < 3, f"robots.txt waited {static[1]:.1f} s"
        assert health[1] < 3.5, f"/healthz waited {health[1]:.1f} s"
    finally:
        hung.close()


def test_a_fixture_reload_during_a_redis_blip_is_not_served_stale_afterwards(tmp_path, database_url, cache_prefix):  # noqa: F811
    """load_content --overwrite while Redis briefly refuses connections: the load commits, the generation
    bump fails, and the 'retry on the next request' is in the management command's process, which exits.
    Once Redis is back every server serves the old pages until they expire (PAGE_CACHE_SECONDS, 600 s)."""
    needs_postgres(database_url)
    redis_client()
    redis_port = int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    switch = Switch(redis_port)
    try:
        env = production_env(
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{switch.port}/0",
            DJANGO_CACHE_KEY_PREFIX=cache_prefix,
        )
        with app_servers(env, tmp_path, count=1) as (server,):
            before = server.get("/treatments/mesotherapy/")[2]
            assert server.get("/treatments/mesotherapy/")[2] == before

            fixtures = json.loads((BASE_DIR / "fixtures" / "treatments.json").read_text())
            meso = next(
                e for e in fixtures if e["model"] == "treatments.treatment" and e["fields"]["slug"] == "mesotherapy"
            )
            new_summary = f"Reloaded during a blip {secrets.token_hex(3)}."
            meso["fields"]["summary"] = new_summary
            reload_file = tmp_path / "treatments.json"
            reload_file.write_text(json.dumps(fixtures))

            # With the cache out, the load is refused (nothing changes, so nothing is stale)...
            switch.set(RESET)
            refused = subprocess.run(
                [sys.executable, "manage.py", "load_content", "--overwrite", str(reload_file)],
                cwd=BASE_DIR,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            switch.set(FORWARD)
            assert refused.returncode != 0 and "Nothing was loaded" in refused.stderr, refused.stderr
            time.sleep(0.5)
            assert server.get("/treatments/mesotherapy/")[2] == before
            # ...and once the cache answers, the same load is seen at once.
            manage(env, "load_content", "--overwrite", str(reload_file))
            status, _, body = server.get("/treatments/mesotherapy/")
            assert status == 200
            assert new_summary.encode() in body, "the page still shows the content from before the reload"
    finally:
        switch.set(FORWARD)
        switch.close()


def test_a_take_down_during_a_redis_blip_is_seen_on_the_other_server(tmp_path, database_url, cache_prefix):  # noqa: F811
    """Server one's Redis link blips (its circuit opens for 5 s); a reviewer takes the PRP page down through it
    in that window. The bump fails and is kept 'for this process's next request'. Redis is fine again, but until
    server one happens to get another request, server two keeps serving the taken-down page from Redis."""
    needs_postgres(database_url)
    from tests.deployment.servers import Browser
    from tests.deployment.test_servers import PASSWORD

    redis_client()
    redis_port = int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    switch = Switch(redis_port)
    try:
        common = {"DATABASE_URL": database_url, "DJANGO_CACHE_KEY_PREFIX": cache_prefix}
        env_one = production_env(REDIS_URL=f"redis://127.0.0.1:{switch.port}/0", **common)
        env_two = production_env(REDIS_URL=REDIS_URL, **common)
        pk = manage(
            env_two, "shell", "-c", "from treatments.models import Treatment as T; print(T.objects.get(slug='prp').pk)"
        ).split()[-1]
        (tmp_path / "one").mkdir()
        (tmp_path / "two").mkdir()
        with (
            app_servers(env_one, tmp_path / "one", count=1, workers=1) as (one,),
            app_servers(env_two, tmp_path / "two", count=1, workers=1) as (two,),
        ):
            assert two.get("/treatments/prp/")[0] == 200  # stored in Redis
            reviewer = Browser(one)
            assert reviewer.log_in("reviewer", PASSWORD)[0] == 302
            switch.set(RESET)
            one.get("/about/")  # server one notices: circuit open for 5 s
            switch.set(FORWARD)  # Redis reachable again at once
            status, _ = reviewer.post(f"/admin/treatments/treatment/{pk}/take-down/", {"change_note": "Taken down."})
            assert status == 302
            time.sleep(6)  # server one's circuit has closed; it just has had no request since
            status = two.get("/treatments/prp/")[0]
            assert status == 404, f"server two still serves the taken-down page ({status}) 6 s after the take-down"
    finally:
        switch.set(FORWARD)
        switch.close()
