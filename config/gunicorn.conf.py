"""Gunicorn settings for the production stack (`make serve`, scripts/bench.py, scripts/load.sh).

Environment:
  GUNICORN_BIND     address to listen on (default 127.0.0.1:$PORT, PORT default 8001)
  WEB_CONCURRENCY   worker processes (default 2 x CPU cores + 1)
  GUNICORN_THREADS  threads per worker (default 4: a few requests stuck on a hung backend leave room)
  DJANGO_BEHIND_TLS_PROXY, DJANGO_TRUSTED_PROXIES  see "Behind a TLS proxy" in the README
Our RequestLogMiddleware writes the access line as JSON, so gunicorn's own access log stays off and its
error log (start-up, worker restarts, timeouts) is JSON on stdout too.
"""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8001')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or multiprocessing.cpu_count() * 2 + 1)
threads = int(os.environ.get("GUNICORN_THREADS") or 4)
worker_class = "gthread"
keepalive = 5
timeout = 30
graceful_timeout = 20
# Recycle workers now and then so a slow leak cannot grow forever; jitter avoids all restarting at once.
# Not too often: a new worker imports Django and scans the static files again (0.5-0.75 s of CPU), then starts
# with an empty page cache (local memory) and template cache, so its first visit to each page renders it.
# At 5,000 a worker under load was recycled every ~10 s, a third of the CPU went on that, and most of it was
# charged to the pages that are dearest to render (measured with py-spy on `make bench`, 2026-12-02).
max_requests = 50000
max_requests_jitter = 5000
# The heartbeat file in memory, not on a possibly slow disk.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Several instances (serve, bench, load test) may run at once: no shared control socket.
control_socket_disable = True
# Forwarded headers are believed only with DJANGO_BEHIND_TLS_PROXY on, from DJANGO_TRUSTED_PROXIES, and only
# X-Forwarded-Proto (gunicorn would otherwise also take X-Forwarded-Ssl and X-Forwarded-Protocol from anyone
# on 127.0.0.1). Django applies the same rule (config/settings.py, config/proxy.py).
_behind_proxy = os.environ.get("DJANGO_BEHIND_TLS_PROXY", "").strip().lower() in {"1", "true", "yes", "on"}
_proxies = os.environ.get("DJANGO_TRUSTED_PROXIES", "").strip() or "127.0.0.1,::1"
forwarded_allow_ips = _proxies if _behind_proxy else ""
secure_scheme_headers = {"X-FORWARDED-PROTO": "https"} if _behind_proxy else {}

accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.logs.JsonFormatter"}},
    "handlers": {"stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "json"}},
    "loggers": {
        "gunicorn.error": {"handlers": ["stdout"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
    },
    "root": {"handlers": ["stdout"], "level": "INFO"},
}
