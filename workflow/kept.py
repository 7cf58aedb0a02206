"""Work derived from published content, kept in this process for as long as that content stands.

    keep(request, "name", value, ..., build=callable)   build() once per content generation and values

The key is the name, the values, the script prefix (links start with it) and the request's content generation
(`ContentGeneration.for_request`: it changes with every committed content change, on every server, because it
lives in the database beside the content). What is kept lives in the "rendered" cache (local memory, see
settings.py). For a staff preview, or a request inside a transaction, there is no generation: `build()` runs
every time and nothing is kept. Keep only what depends on published content and the values given, never on
the visitor. `{% kept %}` (templatetags/kept.py) does the same for a part of a template.

The number moves just after each content change commits (`advance_generation`). If that fails (a dropped
connection, a lock timeout), this process keeps nothing and a thread retries for RETRY_FOR_SECONDS; each time
a retry moves the number it announces the change again, so pages other servers rendered meanwhile from their
older kept parts are invalidated too. If the retries give up, requests try again now and then. A failure is
made up for only by an update that started after it: one that started earlier may have landed before the
failed change committed.
"""

import hashlib
import logging
import threading
import time

from django.core.cache import caches
from django.db import connection, connections
from django.urls import get_script_prefix

from .models import ContentGeneration

logger = logging.getLogger(__name__)

_MISSING = object()
RETRY_FOR_SECONDS = 30
RETRY_EVERY_SECONDS = 0.5
TRY_FROM_REQUESTS_EVERY_SECONDS = 5

_state_lock = threading.Lock()
_newest_seen = None  # the largest number this process has kept parts under
_failed = 0  # updates of the number refused in this process
_made_up = 0  # how many of those a later successful update covers
_retry_until = 0.0
_last_request_try = 0.0
_retrying = None  # the retry thread while it runs; set and cleared under the lock
_announce_again = None


def store():
    return caches["rendered"]


def behind():
    """Whether a content change committed in this process has not moved the number on yet."""
    return _made_up < _failed


def generation(request):
    """The number to keep this request's parts under, or None: keep nothing.

    A new number makes every part kept under an older one useless, and a local-memory cache frees an expired
    entry only when it is read again, so the old parts are dropped here rather than left to fill memory."""
    global _newest_seen
    if behind():
        _try_from_request()
        if behind():
            return None
    number = ContentGeneration.for_request(request)
    if number is not None and (_newest_seen is None or number > _newest_seen):
        with _state_lock:
            if _newest_seen is None or number > _newest_seen:
                if _newest_seen is not None:
                    store().clear()
                _newest_seen = number
    return number


def _try_advance(say_why=None):
    """One update of the number; True if it moved. It makes up for the failures recorded before it started."""
    global _made_up
    with _state_lock:
        covers = _failed
    try:
        ContentGeneration.advance()
    except Exception:  # the content change is committed: never fail the save that made it
        if say_why:
            logger.exception(say_why)
        return False
    with _state_lock:
        _made_up = max(_made_up, covers)
    return True


def advance_generation(announce_again):
    """Move the number on, just after a content change committed. If the database refuses now, keep nothing
    in this process and retry; `announce_again()` runs each time a retry has moved it."""
    global _failed, _retry_until, _retrying, _announce_again
    if _try_advance(say_why="the content generation could not be moved on; retrying"):
        return
    with _state_lock:
        _failed += 1
        _retry_until = time.monotonic() + RETRY_FOR_SECONDS
        _announce_again = announce_again
        if _retrying is None:
            # Not a daemon: a management command such as load_content waits for it before it exits.
            _retrying = threading.Thread(target=_retry, name="content-generation", daemon=False)
            _retrying.start()


def _retry():
    global _retrying
    try:
        while True:
            with _state_lock:
                if not behind() or time.monotonic() > _retry_until:
                    _retrying = None  # a failure after this starts a new thread
                    gave_up = behind()
                    break
            time.sleep(RETRY_EVERY_SECONDS)
            if _try_advance():
                logger.info("the content generation moved on after a retry")
                _announce_again()
        if gave_up:
            logger.error(
                "the content generation could not be moved on: this process keeps no rendered parts and tries "
                "again every %d s, and other servers may show parts rendered before the change for up to "
                "DJANGO_RENDERED_PARTS_SECONDS",
                TRY_FROM_REQUESTS_EVERY_SECONDS,
            )
    finally:
        connections.close_all()  # this thread's own connections


def _try_from_request():
    """After the retries gave up: one more try, at most every TRY_FROM_REQUESTS_EVERY_SECONDS."""
    global _last_request_try
    if connection.in_atomic_block:
        return  # the update would hold the row's lock until this transaction ends (see workflow/signals.py)
    with _state_lock:
        if _retrying is not None or time.monotonic() - _last_request_try < TRY_FROM_REQUESTS_EVERY_SECONDS:
            return
        _last_request_try = time.monotonic()
    if _try_advance():
        logger.info("the content generation moved on")
        _announce_again()


def caught_up(wait):
    """Whether every content change committed in this process has moved the number on, after waiting up to
    `wait` seconds for the retries."""
    thread = _retrying
    if thread is not None:
        thread.join(wait)
    return not behind()


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
