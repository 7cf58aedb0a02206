"""Structured logs: one JSON line per request and per error, on stdout.

`RequestLogMiddleware` (first in MIDDLEWARE, so it times the whole stack and sees static files,
redirects and cached pages too) logs `method path status duration_ms bytes` to the "request"
logger. Unhandled exceptions reach the "django.request" logger with `exc_info`; `JsonFormatter`
turns that into `exc_type` and a `traceback` string field. `logging_config()` builds LOGGING:
JSON when DJANGO_LOG_FORMAT=json (the default with debug off), plain text in development.
"""

import logging
import time

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

request_logger = logging.getLogger("request")

# Attributes Django puts on its log records that are objects, not data (the request carries
# cookies and headers, which do not belong in a log line).
_DROPPED = {"request", "server_time", "color_message"}


class JsonFormatter(_BaseJsonFormatter):
    """python-json-logger with stable field names, `exc_type` and the traceback as one string."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", "time")
        kwargs.setdefault(
            "rename_fields", {"levelname": "level", "name": "logger", "message": "msg", "exc_info": "traceback"}
        )
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        for key in _DROPPED:
            log_data.pop(key, None)
        if record.exc_info and record.exc_info[0] is not None:
            log_data["exc_type"] = f"{record.exc_info[0].__module__}.{record.exc_info[0].__qualname__}"


def _response_bytes(response):
    length = response.get("Content-Length")
    if length is not None and length.isdigit():
        return int(length)
    if getattr(response, "streaming", False):
        return None
    return len(response.content)


class RequestLogMiddleware:
    """Logs one line per request: method, path, status, duration_ms, bytes (body as sent)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        start = time.perf_counter()
        response = self.get_response(request)
        request_logger.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "bytes": _response_bytes(response),
                "htmx": request.headers.get("HX-Request") == "true",
            },
        )
        return response


def logging_config(*, fmt="json", level="INFO"):
    """The LOGGING setting: everything to stdout through one handler.

    - "request" (our access line) at INFO;
    - "django.request" at ERROR: 5xx with their tracebacks (4xx are already in the access line);
    - "django.security" (DisallowedHost, CSRF failures, ...) at WARNING;
    - "django.server" (runserver's own access line) kept in plain-text development mode.
    """
    formatter = (
        {"()": "config.logs.JsonFormatter"} if fmt == "json" else {"format": "%(levelname)s %(name)s %(message)s"}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stdout": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout", "formatter": "default"},
        },
        "root": {"handlers": ["stdout"], "level": level},
        "loggers": {
            "django": {"handlers": [], "level": level, "propagate": True},
            "django.request": {"handlers": [], "level": "ERROR", "propagate": True},
            "django.security": {"handlers": [], "level": "WARNING", "propagate": True},
            "django.server": {"handlers": [], "level": "INFO" if fmt != "json" else "WARNING", "propagate": True},
            # In plain-text development mode runserver already prints one line per request.
            # DJANGO_LOG_LEVEL=WARNING turns the access lines off.
            "request": {"handlers": [], "level": level if fmt == "json" else "WARNING", "propagate": True},
        },
    }
