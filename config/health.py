"""GET /healthz for load balancers, and a 503 "try again" page when the database is out.

/healthz checks the database (SELECT 1) and the cache (a write and a read back) at the same time, each in
its own thread with its own wait of HEALTH_CHECK_SECONDS, so it answers within about a second whatever
hangs: 200 {"status": "ok", "database": "ok", "cache": "ok"}, or 503 naming the part that failed
("unavailable") with no detail for the outside world (the detail goes to the log). A check that is still
stuck from an earlier probe is not started again, so hung probes cannot pile up and use every thread.
Exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), never cached, no session or template work.
"""

import logging
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitTimeout

from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

HEALTH_CHECK_SECONDS = 1.0


def database_answers():
    connection = connections["default"]  # this check's own thread has its own connection
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    finally:
        connection.close()  # a fresh connection per probe: nothing held open between probes


def cache_answers():
    cache = caches["default"]
    if hasattr(cache, "available"):
        # Redis: a PING, whatever the circuit says. Not a write: a Redis that is full (maxmemory with
        # noeviction) refuses writes but still serves pages, and must not take every server out of service.
        return cache.available()
    token = uuid.uuid4().hex
    cache.set("healthz", token, 30)
    return cache.get("healthz") == token


class Check:
    """One part's check, run in its own thread; at most one run in flight, shared by the probes that arrive
    while it runs (so many probes at once cost one check and all get its answer)."""

    def __init__(self, name, probe):
        self.name = name
        self.probe = probe
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"healthz-{name}")
        self.lock = threading.Lock()
        self.running = None
        self.started = 0.0

    def start(self):
        """(future, seconds it may still be waited for); None when the check in flight is already stuck."""
        with self.lock:
            now = time.monotonic()
            if self.running is not None and not self.running.done():
                left = self.started + HEALTH_CHECK_SECONDS - now
                return (self.running, left) if left > 0 else None
            self.running, self.started = self.executor.submit(self.probe), now
            return self.running, HEALTH_CHECK_SECONDS

    def result(self, started):
        if started is None:
            logger.warning("health check: %s still not answering an earlier check", self.name)
            return False
        future, timeout = started
        try:
            return bool(future.result(timeout=timeout))
        except WaitTimeout:
            logger.warning("health check: %s did not answer within %.1f s", self.name, timeout)
        except Exception as error:
            logger.warning("health check: %s failed (%s: %s)", self.name, type(error).__name__, error)
        return False


CHECKS = (Check("database", database_answers), Check("cache", cache_answers))


@never_cache
@require_safe
def healthz(request):
    started = [(check, check.start()) for check in CHECKS]
    results = {check.name: check.result(future) for check, future in started}
    body = {"status": "ok" if all(results.values()) else "error"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in results.items()})
    return JsonResponse(body, status=200 if all(results.values()) else 503)


DATABASE_ERRORS = (OperationalError, InterfaceError)
# After a view finds the database out, this process answers pages 503 at once for this long instead of each
# request holding a thread for the connect timeout; /healthz still checks for real.
SHORT_CIRCUIT_SECONDS = 3
DATABASE_FREE_PATHS = {"/healthz", "/robots.txt"}  # answered without the database: never short-circuited
_database_down_until = 0.0


def database_unavailable_response():
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A page whose view cannot reach the database answers 503 with Retry-After, not a 500; for a few
    seconds after that, pages that need the database are not even tried (cached pages are served above)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if time.monotonic() < _database_down_until and request.path_info not in DATABASE_FREE_PATHS:
            return database_unavailable_response()
        return self.get_response(request)

    def process_exception(self, request, exception):
        # OperationalError covers a refused or timed-out connection and a cancelled statement: "try again".
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        if reaching_the_server_failed(exception):
            global _database_down_until
            _database_down_until = time.monotonic() + SHORT_CIRCUIT_SECONDS
        logger.error("database unavailable for %s %s", request.method, request.path, exc_info=exception)
        return database_unavailable_response()


def reaching_the_server_failed(exception):
    """A refused or timed-out connection, or a server that stopped answering (psycopg gives those no SQLSTATE),
    as against one statement that failed (cancelled, deadlocked: those carry one) or a SQLite lock."""
    cause = exception.__cause__
    return cause is not None and hasattr(cause, "sqlstate") and cause.sqlstate is None


def server_error(request):
    """handler500: a database outage met outside a view (a middleware that reads the session, say) is a 503
    "try again" too; anything else is the plain 500 page."""
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):
        return database_unavailable_response()
    return HttpResponseServerError(render_to_string("500.html"))
