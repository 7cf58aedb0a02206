"""Work derived from published content, kept in this process for as long as that content stands.

    keep(request, "name", value, ..., build=callable)   build() once per content generation and values

The key is the name, the values, the script prefix (links start with it) and the request's content generation
(`ContentGeneration.for_request`: it changes with every committed content change, on every server, because it
lives in the database beside the content). What is kept lives in the "rendered" cache (local memory, see
settings.py). For a staff preview, or a request inside a transaction, there is no generation: `build()` runs
every time and nothing is kept. Keep only what depends on published content and the values given, never on
the visitor. `{% kept %}` (templatetags/kept.py) does the same for a part of a template.

The number moves just after each content change commits (`advance_generation`). If that fails (a dropped
connection, a lock timeout), this process keeps nothing and retries in the background, and once the number
has moved it announces the change again, so pages other servers rendered from their older kept parts in the
meantime are invalidated too.
"""

import hashlib
import logging
import threading
import time

from django.core.cache import caches
from django.db import connections
from django.urls import get_script_prefix

from .models import ContentGeneration

logger = logging.getLogger(__name__)

_MISSING = object()
RETRY_FOR_SECONDS = 30
RETRY_EVERY_SECONDS = 0.5

_state_lock = threading.Lock()
_newest_seen = None  # the largest number this process has kept parts under
_advance_pending = threading.Event()  # a content change committed, but the number has not moved yet
_retrying = None


def store():
    return caches["rendered"]


def generation(request):
    """The number to keep this request's parts under, or None: keep nothing.

    A new number makes every part kept under an older one useless, and a local-memory cache frees an expired
    entry only when it is read again, so the old parts are dropped here rather than left to fill memory."""
    global _newest_seen
    if _advance_pending.is_set():
        return None
    number = ContentGeneration.for_request(request)
    if number is not None and (_newest_seen is None or number > _newest_seen):
        with _state_lock:
            if _newest_seen is None or number > _newest_seen:
                if _newest_seen is not None:
                    store().clear()
                _newest_seen = number
    return number


def advance_generation(announce_again):
    """Move the number on, just after a content change committed. If the database refuses now, keep nothing
    in this process and retry for RETRY_FOR_SECONDS; `announce_again()` runs once a retry has moved it."""
    try:
        ContentGeneration.advance()
    except Exception:  # the change is committed: never fail the save that made it
        logger.exception("the content generation could not be moved on; retrying")
        _advance_pending.set()
        _keep_retrying(announce_again)
    else:
        _advance_pending.clear()


def _keep_retrying(announce_again):
    global _retrying
    with _state_lock:
        if _retrying is not None and _retrying.is_alive():
            return
        # Not a daemon: a management command such as load_content waits for it before it exits.
        _retrying = threading.Thread(target=_retry, args=(announce_again,), name="content-generation", daemon=False)
        _retrying.start()


def _retry(announce_again):
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    try:
        while _advance_pending.is_set() and time.monotonic() < deadline:
            time.sleep(RETRY_EVERY_SECONDS)
            try:
                ContentGeneration.advance()
            except Exception:
                continue
            _advance_pending.clear()
            logger.info("the content generation moved on after a retry")
            announce_again()
            return
        if _advance_pending.is_set():
            logger.error(
                "the content generation could not be moved on: this process keeps no rendered parts until the "
                "next content change, and other servers may show parts rendered before the change for up to "
                "DJANGO_RENDERED_PARTS_SECONDS"
            )
    finally:
        connections.close_all()  # this thread's own connections


def kept_key(name, generation, *values):
    raw = "\x00".join([name, str(generation), get_script_prefix(), *(repr(value) for value in values)])
    return f"kept:{name}:" + hashlib.sha256(raw.encode()).hexdigest()


def keep(request, name, *values, build):
    """build(), or what it returned before for the same name, values and content. A None result is not kept."""
    number = generation(request)
    if number is None:
        return build()
    key = kept_key(name, number, *values)
    value = store().get(key, _MISSING)
    if value is _MISSING:
        value = build()
        if value is not None:
            store().set(key, value)
    return value
