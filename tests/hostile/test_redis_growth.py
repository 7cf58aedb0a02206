"""Unbounded Redis growth through one real gunicorn server and a real Redis (own key prefix, deleted after).
Redis's default maxmemory-policy is noeviction: once full, every write fails, the circuit opens on every
server and /healthz answers 503 everywhere, so growth an attacker controls ends as a site-wide outage."""

import secrets

from tests.deployment.servers import app_servers, production_env
from tests.deployment.test_servers import REDIS_URL, cache_prefix, database_url, redis_client  # noqa: F401


def stored(client, prefix):
    keys = list(client.scan_iter(match=f"{prefix}:*:page:*", count=1000))
    return len(keys), sum(client.memory_usage(key) or 0 for key in keys)


def test_anonymous_requests_cannot_grow_redis_without_bound(tmp_path, database_url, cache_prefix):  # noqa: F811
    client = redis_client()
    env = production_env(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, DJANGO_CACHE_KEY_PREFIX=cache_prefix)
    shapes = {
        "faq search with an empty repeat": lambda n: ("/faq/?q=" + secrets.token_hex(6) + "&q=", {}),
        "changes page with leading zeros": lambda n: ("/changes/?page=" + "0" * n + "1", {}),
        "allowed host with a port": lambda n: ("/about/", {"Host": f"localhost:{n + 1}"}),
    }
    grown = {}
    with app_servers(env, tmp_path, count=1, workers=1, threads=4) as (server,):
        for name, shape in shapes.items():
            before = stored(client, cache_prefix)
            for n in range(30):
                path, headers = shape(n)
                # 200, or for a page number spelt oddly a redirect to its one address (or 404 when absurd)
                assert server.get(path, headers=headers)[0] in (200, 302, 404), (name, path)
            after = stored(client, cache_prefix)
            grown[name] = (after[0] - before[0], after[1] - before[1])
    print({name: f"{count} entries, {size / 1024:.0f} KiB" for name, (count, size) in grown.items()})
    assert all(count <= 1 for count, _ in grown.values()), f"30 anonymous requests each: {grown}"
