"""config/redis_cache.py: Django's RedisCache that answers as a miss, fast, while Redis is down or hung."""

import logging
import time

import pytest
import redis

from config import redis_cache
from config.redis_cache import ResilientRedisCache

from .deployment.servers import HungService, free_port

OPTIONS = {"socket_connect_timeout": 0.25, "socket_timeout": 0.25}


def cache_at(location):
    return ResilientRedisCache(location, {"OPTIONS": OPTIONS, "KEY_PREFIX": f"test-{time.time_ns()}"})


@pytest.fixture(autouse=True)
def fresh_circuits(monkeypatch):
    monkeypatch.setattr(redis_cache, "_circuits", {})


@pytest.fixture
def hung():
    service = HungService()
    yield service
    service.close()


def test_a_redis_that_is_down_answers_as_a_miss(caplog):
    cache = cache_at(f"redis://127.0.0.1:{free_port()}/0")
    with caplog.at_level(logging.WARNING, logger="config.redis_cache"):
        assert cache.get("page", "default") == "default"
        cache.set("page", "value")  # stores nothing, raises nothing
        assert cache.get_many(["a", "b"]) == {}
        assert cache.add("a", 1) is False
        cache.delete("a")
        with pytest.raises(ValueError):
            cache.incr("counter")
    assert not cache.available()
    assert len([r for r in caplog.records if "Redis cache unavailable" in r.message]) == 1


def test_a_hung_redis_costs_one_timeout_then_is_skipped(hung, caplog):
    cache = cache_at(f"redis://127.0.0.1:{hung.port}/0")
    start = time.monotonic()
    assert cache.get("page") is None
    first = time.monotonic() - start
    start = time.monotonic()
    for _ in range(200):
        assert cache.get("page") is None
        cache.set("page", "value")
    rest = time.monotonic() - start
    assert first < 1
    assert rest < 0.5, f"400 calls took {rest:.2f} s while the circuit was open"


def test_the_circuit_is_shared_by_every_thread_of_a_process(hung):
    # Django builds one cache object per thread; they must not each wait for the timeout and each warn.
    one, two = cache_at(f"redis://127.0.0.1:{hung.port}/0"), cache_at(f"redis://127.0.0.1:{hung.port}/0")
    one.get("page")
    start = time.monotonic()
    two.get("page")
    assert time.monotonic() - start < 0.1


def test_once_redis_answers_again_the_cache_works_again(monkeypatch):
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0", socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    cache = cache_at("redis://127.0.0.1:6379/0")
    cache.circuit.failed(ConnectionError("pretend"))
    assert cache.get("k", "miss") == "miss"  # skipped while open
    monkeypatch.setattr(redis_cache, "RETRY_AFTER_SECONDS", 0)
    cache.circuit.open_until = 0
    cache.set("k", "stored", 30)
    assert cache.get("k") == "stored"
    assert cache.available()
    cache.delete("k")
