"""Run as a clinic would run it: production gunicorn servers on loopback, sharing one database and one Redis,
through hung backends, floods of tracking parameters and forwarded headers (issue 12).

The two-server test needs PostgreSQL and Redis: it runs in the PostgreSQL leg of CI (`.ci/run` starts Redis and
sets REQUIRE_REDIS=1, so a missing Redis fails instead of skipping). The others run on either database."""

import json
import os
import secrets
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis

from .servers import BASE_DIR, Browser, HungService, app_servers, manage, production_env

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
PASSWORD = "a long enough password 42"
CREATE_STAFF = (
    "from django.contrib.auth import get_user_model; U = get_user_model(); "
    f"U.objects.create_superuser('reviewer', password={PASSWORD!r}); "
    f"U.objects.create_user('nurse', password={PASSWORD!r}, is_staff=True)"
)


def redis_client():
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
        client.ping()
        return client
    except redis.RedisError as error:
        if os.environ.get("REQUIRE_REDIS"):
            pytest.fail(f"Redis at {REDIS_URL} is required here and does not answer: {error}")
        pytest.skip(f"no Redis at {REDIS_URL}")


@pytest.fixture(scope="module")
def database_url(tmp_path_factory):
    """A database of its own with the site's content, migrated and loaded as `make serve` would."""
    base = os.environ.get("DATABASE_URL", "")
    tmp = tmp_path_factory.mktemp("deploy")
    name = None
    if base.startswith("postgres"):
        import psycopg

        name = f"deploytest_{secrets.token_hex(4)}"
        admin = base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        url = base.rsplit("/", 1)[0] + f"/{name}"
    else:
        url = f"sqlite:///{tmp / 'content.sqlite3'}"
    env = production_env(DATABASE_URL=url)
    manage(env, "migrate", "--noinput")
    manage(env, "load_content")
    manage(env, "collectstatic", "--noinput", "-v", "0")
    manage(env, "shell", "-c", CREATE_STAFF)
    yield url
    if name:
        import psycopg

        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def cache_prefix():
    prefix = f"deploytest-{secrets.token_hex(4)}"
    yield prefix
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_timeout=1)
        keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass


def stored_pages(client, prefix):
    return sum(1 for _ in client.scan_iter(match=f"{prefix}:*:page:*", count=1000))


def rate(fetch, seconds=2.0, threads=4):
    """Requests per second from `threads` client threads for `seconds` (bounded); every answer must be 200."""
    deadline = time.monotonic() + seconds
    counts, failures = [0] * threads, []

    def worker(n):
        while time.monotonic() < deadline:
            status = fetch(n)
            if status != 200:
                failures.append(status)
                return
            counts[n] += 1

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    start = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=seconds + 15)
    assert not failures, failures[:5]
    return sum(counts) / (time.monotonic() - start)


def static_path(server):
    _, _, body = server.get("/")
    start = body.index(b'href="/static/') + len('href="')
    return body[start : body.index(b'"', start)].decode()


# --- two app servers, one database, one Redis ----------------------------------------------------------


def test_two_servers_see_each_others_content_changes_and_fixture_reloads_at_once(database_url, cache_prefix, tmp_path):
    if not database_url.startswith("postgres"):
        pytest.skip("two app servers share PostgreSQL (the PostgreSQL leg of CI runs this)")
    client = redis_client()
    env = production_env(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, DJANGO_CACHE_KEY_PREFIX=cache_prefix)
    with app_servers(env, tmp_path, count=2) as (one, two):
        # Both servers store the same pages in the one Redis.
        assert two.get("/treatments/mesotherapy/")[0] == 200
        assert two.get("/treatments/prp/")[0] == 200
        stored = stored_pages(client, cache_prefix)
        assert stored >= 2
        assert one.get("/treatments/prp/")[0] == 200
        assert stored_pages(client, cache_prefix) == stored  # served from what server two stored

        # A fixture reload (load_content --overwrite) is seen on both servers at once.
        fixtures = json.loads((BASE_DIR / "fixtures" / "treatments.json").read_text())
        meso = next(
            e for e in fixtures if e["model"] == "treatments.treatment" and e["fields"]["slug"] == "mesotherapy"
        )
        new_summary = f"Reloaded summary {secrets.token_hex(3)}."
        meso["fields"]["summary"] = new_summary
        reload_file = tmp_path / "treatments.json"
        reload_file.write_text(json.dumps(fixtures))
        manage(env, "load_content", "--overwrite", str(reload_file))
        for server in (one, two):
            assert new_summary.encode() in server.get("/treatments/mesotherapy/")[2]

        # A reviewer takes a page down through server one; server two stops showing it at once.
        pk = manage(
            env, "shell", "-c", "from treatments.models import Treatment as T; print(T.objects.get(slug='prp').pk)"
        )
        reviewer = Browser(one)
        assert reviewer.log_in("reviewer", PASSWORD)[0] == 302
        status, _ = reviewer.post(
            f"/admin/treatments/treatment/{pk.split()[-1]}/take-down/", {"change_note": "Removed the PRP page."}
        )
        assert status == 302
        assert two.get("/treatments/prp/")[0] == 404
        assert one.get("/treatments/prp/")[0] == 404


def test_without_redis_or_the_page_cache_two_servers_show_a_content_change_at_once(database_url, tmp_path):
    """Rendered comparison columns are kept in each worker process (workflow/kept.py), under the content
    generation in the database: a change committed anywhere is seen by every worker of every server at once,
    even with only local-memory caches."""
    if not database_url.startswith("postgres"):
        pytest.skip("two app servers share PostgreSQL (the PostgreSQL leg of CI runs this)")
    env = production_env(DATABASE_URL=database_url, DJANGO_PAGE_CACHE_SECONDS="0")
    page = "/compare/mesotherapy-vs-prp/?concern=hair-loss&treatments=mesotherapy&treatments=minoxidil"
    with app_servers(env, tmp_path, count=2, workers=2) as servers:
        for server in servers:
            for _ in range(6):  # each worker renders and keeps the columns
                assert server.get(page)[0] == 200
        new_summary = f"Edited elsewhere {secrets.token_hex(3)}."
        manage(
            env,
            "shell",
            "-c",
            "from treatments.models import Treatment as T; t = T.objects.get(slug='mesotherapy'); "
            f"t.summary = {new_summary!r}; t.save()",
        )
        for server in servers:
            for _ in range(6):
                assert new_summary.encode() in server.get(page)[2]


def test_a_flood_of_random_tracking_parameters_is_served_from_the_cache(database_url, cache_prefix, tmp_path):
    client = redis_client()
    env = production_env(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, DJANGO_CACHE_KEY_PREFIX=cache_prefix)
    page = "/compare/mesotherapy-vs-prp/"
    with app_servers(env, tmp_path, count=1, workers=2) as (server,):
        static = static_path(server)
        assert server.get(page)[0] == 200
        before = stored_pages(client, cache_prefix)

        def tracked(n):
            query = urllib.parse.urlencode({"utm_source": secrets.token_hex(8), "fbclid": secrets.token_hex(4)})
            return server.get(f"{page}?{query}")[0]

        static_rate = rate(lambda n: server.get(static)[0])
        tracked_rate = rate(tracked)
        grown = stored_pages(client, cache_prefix) - before
    ratio = tracked_rate / static_rate
    print(f"random tracking parameters: {tracked_rate:.0f} req/s, static {static_rate:.0f} req/s, ratio {ratio:.2f}")
    assert grown == 0, f"{grown} new cache entries for tracking parameters"
    assert ratio > 0.4  # a miss per request measured about 0.02


# --- hung backends ----------------------------------------------------------------------------------------


def test_a_hung_database_is_reported_fast_and_blocks_neither_static_files_nor_health_checks(tmp_path, database_url):
    hung = HungService()
    try:
        env = production_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{hung.port}/treatments")
        with app_servers(env, tmp_path, count=1, workers=1, threads=4) as (server,):
            status, body, took = server.timed_get("/healthz")
            print(f"hung database: /healthz {status} in {took:.2f} s")
            assert status == 503 and took < 2, (status, took)
            assert json.loads(body) == {"status": "error", "database": "unavailable", "cache": "ok"}

            # Several probes at once, then static files and robots.txt while they are out.
            with ThreadPoolExecutor(max_workers=6) as pool:
                probes = [pool.submit(server.timed_get, "/healthz") for _ in range(4)]
                time.sleep(0.1)
                static = server.timed_get("/static/css/site.css")
                robots = server.timed_get("/robots.txt")
                results = [probe.result(timeout=10) for probe in probes]
            print(f"hung database, 4 probes out: static file in {static[2]:.3f} s, robots.txt in {robots[2]:.3f} s")
            assert static[0] == 200 and static[2] < 1
            assert robots[0] == 200 and robots[2] < 1
            assert all(status == 503 and took < 2 for status, _, took in results), results

            status, body, took = server.timed_get("/treatments/")
            print(f"hung database: a page answers {status} in {took:.2f} s")
            assert status == 503 and took < 5, (status, took)
            assert b"try again" in body
    finally:
        hung.close()


def test_a_hung_redis_is_skipped_pages_stay_fast_and_health_says_so(tmp_path, database_url, cache_prefix):
    hung = HungService()
    try:
        env = production_env(
            DATABASE_URL=database_url,
            REDIS_URL=f"redis://127.0.0.1:{hung.port}/0",
            DJANGO_CACHE_KEY_PREFIX=cache_prefix,
        )
        with app_servers(env, tmp_path, count=1, workers=1, threads=4) as (server,):
            status, body, took = server.timed_get("/healthz")
            print(f"hung Redis: /healthz {status} in {took:.2f} s")
            assert status == 503 and took < 2, (status, took)
            assert json.loads(body) == {"status": "error", "database": "ok", "cache": "unavailable"}

            start = time.monotonic()
            statuses = [server.get(path)[0] for path in ["/", "/treatments/", "/faq/", "/about/"] * 5]
            took = time.monotonic() - start
            assert statuses == [200] * 20
            print(f"hung Redis: 20 pages in {took:.2f} s")
            assert took < 6, f"20 pages took {took:.1f} s with Redis hung"
            warnings = server.log_text().count("Redis cache unavailable")
            assert 1 <= warnings <= 2, server.log_text()[-3000:]
    finally:
        hung.close()


# --- behind a TLS proxy -------------------------------------------------------------------------------------


def test_without_the_proxy_setting_gunicorn_and_django_believe_no_forwarded_header(tmp_path, database_url):
    env = production_env(DATABASE_URL=database_url, DJANGO_SECURE_SSL_REDIRECT="1")
    with app_servers(env, tmp_path) as (server,):
        for header in ({"X-Forwarded-Ssl": "on"}, {"X-Forwarded-Proto": "https"}, {"X-Forwarded-Protocol": "https"}):
            status, headers, _ = server.get("/treatments/", headers=header)
            assert status == 301 and headers["location"].startswith("https://"), header


def test_behind_the_proxy_its_scheme_is_believed_and_lockouts_are_per_client(tmp_path, database_url):
    env = production_env(
        DATABASE_URL=database_url,
        DJANGO_SECURE_SSL_REDIRECT="1",
        DJANGO_BEHIND_TLS_PROXY="1",
        DJANGO_TRUSTED_PROXIES="127.0.0.1",
    )

    def through_proxy(client_address):  # what the README's nginx snippet sends
        return {
            "X-Forwarded-Proto": "https",
            "X-Forwarded-For": client_address,
            "Origin": "https://127.0.0.1",
        }

    with app_servers(env, tmp_path) as (server,):
        assert server.get("/treatments/", headers={"X-Forwarded-Proto": "https"})[0] == 200
        assert server.get("/treatments/", headers={"X-Forwarded-Ssl": "on"})[0] == 301

        attacker = through_proxy("198.51.100.1")
        for _ in range(5):
            assert Browser(server).log_in("nurse", "wrong password", headers=attacker)[0] in (200, 429)
        assert Browser(server).log_in("nurse", PASSWORD, headers=attacker)[0] == 429
        # The nurse, from her own address through the same proxy, is not locked out.
        assert Browser(server).log_in("nurse", PASSWORD, headers=through_proxy("203.0.113.7"))[0] == 302


def test_the_readme_documents_the_proxy_headers():
    readme = (BASE_DIR / "README.md").read_text()
    for needed in ("DJANGO_BEHIND_TLS_PROXY", "DJANGO_TRUSTED_PROXIES", "X-Forwarded-Proto", "X-Forwarded-For"):
        assert needed in readme
