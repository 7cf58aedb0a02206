"""Django's own RedisCache, made to fail fast and quietly: a cache outage must never take the site down.

Django's RedisCache raises on every call when Redis is down, and waits the client's socket timeout on
every call when Redis hangs. Here each client call is guarded:

- an error (refused, reset, timed out after REDIS_TIMEOUT_SECONDS) opens a short circuit: for
  `RETRY_AFTER_SECONDS` this process does not try Redis at all and every call answers as a miss
  (`get` gives the default, `set` stores nothing), so pages are served from the database at full speed;
- then one call tries again, and success closes the circuit;
- the log gets one warning a minute while Redis is failing, not an error per request.

`available()` tells /healthz whether Redis answers a PING right now, bypassing the circuit.
"""

import logging
import threading
import time

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
WARN_EVERY_SECONDS = 60


class Circuit:
    """Open after a failure for RETRY_AFTER_SECONDS; log a warning at most once a minute."""

    def __init__(self):
        self._lock = threading.Lock()
        self.open_until = 0.0
        self.last_warning = float("-inf")
        self.failures = 0

    def is_open(self):
        return time.monotonic() < self.open_until

    def failed(self, error):
        now = time.monotonic()
        with self._lock:
            self.open_until = now + RETRY_AFTER_SECONDS
            self.failures += 1
            if now - self.last_warning < WARN_EVERY_SECONDS:
                return
            self.last_warning, failures, self.failures = now, self.failures, 0
        logger.warning(
            "Redis cache unavailable (%s: %s); pages are served without the cache (%d failures since the last warning)",
            type(error).__name__,
            error,
            failures,
        )


def _guarded(name, answer_when_down):
    """The RedisCacheClient method `name`, answering `answer_when_down(*args)` while Redis fails."""

    def method(self, *args, **kwargs):
        if self.circuit.is_open():
            return answer_when_down(*args, **kwargs)
        try:
            return getattr(RedisCacheClient, name)(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            self.circuit.failed(error)
            return answer_when_down(*args, **kwargs)

    method.__name__ = name
    return method


def _unavailable(*args, **kwargs):
    raise ValueError("The cache is unavailable.")  # what Django's incr raises for a missing key


class GuardedClient(RedisCacheClient):
    """Every call that reaches Redis answers as a miss, quickly, while Redis is failing."""

    circuit = None  # set per cache by ResilientRedisCache

    get = _guarded("get", lambda key, default=None: default)
    get_many = _guarded("get_many", lambda keys: {})
    has_key = _guarded("has_key", lambda key: False)
    add = _guarded("add", lambda *args: False)
    set = _guarded("set", lambda *args: None)
    set_many = _guarded("set_many", lambda data, timeout: list(data))
    touch = _guarded("touch", lambda *args: False)
    delete = _guarded("delete", lambda key: False)
    delete_many = _guarded("delete_many", lambda keys: None)
    incr = _guarded("incr", _unavailable)
    clear = _guarded("clear", lambda: False)


# Django makes one cache object per thread; the circuit (and its once-a-minute warning) is per process.
_circuits = {}
_circuits_lock = threading.Lock()


def circuit_for(location):
    with _circuits_lock:
        return _circuits.setdefault(str(location), Circuit())


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.circuit = circuit_for(server)
        self._class = type("GuardedClient", (GuardedClient,), {"circuit": self.circuit})

    def available(self):
        """Whether Redis answers a PING now (within the socket timeout), whatever the circuit says."""
        try:
            return bool(self._cache.get_client(write=False).ping())
        except (RedisError, OSError):
            return False
