"""The rebuilt hit (status, headers dict, body) through real gunicorn: headers neither lost nor doubled,
HEAD and 304 on a hit, gzip and identity clients never given each other's stored page."""

import gzip
import http.client
import secrets

import pytest

from tests.deployment.servers import app_servers, production_env
from tests.deployment.test_servers import REDIS_URL, database_url, redis_client  # noqa: F401

KEPT = (
    "content-type",
    "content-encoding",
    "vary",
    "etag",
    "content-security-policy",
    "cache-control",
    "x-frame-options",
    "content-length",
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
)


def raw(port, method, path, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request(method, path, headers={"Host": "127.0.0.1", **(headers or {})})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def names(header_list):
    return [k.lower() for k, _ in header_list]


@pytest.fixture(scope="module")
def server(tmp_path_factory, database_url):  # noqa: F811
    redis_client()
    prefix = f"hostile2-{secrets.token_hex(4)}"
    env = production_env(DATABASE_URL=database_url, REDIS_URL=REDIS_URL, DJANGO_CACHE_KEY_PREFIX=prefix)
    with app_servers(env, tmp_path_factory.mktemp("h2"), count=1, workers=1, threads=2) as (srv,):
        yield srv
    client = redis_client()
    keys = list(client.scan_iter(match=f"{prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


@pytest.mark.parametrize("path", ["/", "/treatments/", "/faq/"])
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_a_hit_has_the_same_headers_as_the_miss(server, path, encoding):
    ask = {"Accept-Encoding": encoding}
    status1, miss, body1 = raw(server.port, "GET", path + f"?utm={secrets.token_hex(3)}", ask)
    status2, hit, body2 = raw(server.port, "GET", path, ask)
    assert status1 == status2 == 200
    assert body1 == body2
    for header_names in (names(miss), names(hit)):
        doubled = {n for n in header_names if header_names.count(n) > 1}
        assert not doubled, doubled
    miss_d, hit_d = {k.lower(): v for k, v in miss}, {k.lower(): v for k, v in hit}
    for name in KEPT:
        assert miss_d.get(name) == hit_d.get(name), (name, miss_d.get(name), hit_d.get(name))
    assert "set-cookie" not in hit_d
    if encoding == "gzip":
        assert hit_d.get("content-encoding") == "gzip"
        gzip.decompress(body2)
    else:
        assert "content-encoding" not in hit_d
        assert b"<html" in body2.lower()


def test_head_and_304_on_a_hit(server):
    ask = {"Accept-Encoding": "gzip"}
    raw(server.port, "GET", "/about/", ask)
    status, hit, body = raw(server.port, "GET", "/about/", ask)
    assert status == 200
    etag = {k.lower(): v for k, v in hit}["etag"]
    status, head, head_body = raw(server.port, "HEAD", "/about/", ask)
    assert status == 200 and head_body == b""
    assert {k.lower(): v for k, v in head}.get("content-length") == str(len(body))
    status, not_modified, empty = raw(server.port, "GET", "/about/", {**ask, "If-None-Match": etag})
    assert status == 304 and empty == b""
    nm = {k.lower(): v for k, v in not_modified}
    assert nm.get("etag") == etag and "content-encoding" not in nm and "content-length" not in nm
