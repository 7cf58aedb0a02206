"""GET /healthz for load balancers, and a 503 "try again" page when the database is out.

/healthz checks the database (SELECT 1) and the cache (a write and a read back) at the same time, each in
its own thread with its own wait of HEALTH_CHECK_SECONDS, so it answers within about a second whatever
hangs: 200 {"status": "ok", "database": "ok", "cache": "ok"}, or 503 naming the part that failed
("unavailable") with no detail for the outside world (the detail goes to the log). A check that is still
stuck from an earlier probe is not started again, so hung probes cannot pile up and use every thread.
Exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), never cached, no session or template work.
"""

import logging
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as WaitTimeout

from django.core.cache import caches
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
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
    if hasattr(cache, "available") and not cache.available():  # Redis: a PING, whatever the circuit says
        return False
    token = uuid.uuid4().hex
    cache.set("healthz", token, 30)
    return cache.get("healthz") == token


class Check:
    """One part's check, run in its own thread; at most one run in flight."""

    def __init__(self, name, probe):
        self.name = name
        self.probe = probe
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"healthz-{name}")
        self.lock = threading.Lock()
        self.running = None

    def start(self):
        with self.lock:
            if self.running is not None and not self.running.done():
                return None  # still stuck from an earlier probe
            self.running = self.executor.submit(self.probe)
            return self.running

    def result(self, future, timeout):
        if future is None:
            logger.warning("health check: %s still not answering an earlier check", self.name)
            return False
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
    results = {check.name: check.result(future, HEALTH_CHECK_SECONDS) for check, future in started}
    body = {"status": "ok" if all(results.values()) else "error"}
    body.update({name: "ok" if ok else "unavailable" for name, ok in results.items()})
    return JsonResponse(body, status=200 if all(results.values()) else 503)


class DatabaseUnavailableMiddleware:
    """A page whose view cannot reach the database answers 503 with Retry-After, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        # OperationalError covers a refused or timed-out connection and a cancelled statement: "try again".
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("database unavailable for %s %s", request.method, request.path, exc_info=exception)
        response = HttpResponse(render_to_string("503.html"), status=503)
        response["Retry-After"] = "30"
        response["Cache-Control"] = "no-store"
        return response
