"""Whole-page caching for the public (patient) pages, invalidated by a content "generation".

A view opts in and names the query parameters it reads; the middleware does the storing and serving:

    @cache_public_page(query=("concern",), lists=("treatments",))
    def comparison_detail(request, slug): ...

    @cache_public_page(query=("q",), skip_when=("q",))   # searches are not stored
    def faq(request): ...

Content changes call `bump_content_generation()` after commit (pages.apps connects it to
`workflow.signals.content_changed`, which admin saves, moderation, restores and `load_content` send).

How it works
- `PublicPageCacheMiddleware` sits just below WhiteNoise. For an anonymous GET or HEAD (no session cookie)
  to a URL whose view opted in, it builds the key from exactly what changes the response: scheme, host,
  path, the view's query parameters (sorted by name; the last value of each, as `GET.get` reads it, or for
  list parameters the sorted set of values), whether it is an htmx swap or a history restore (read as
  django-htmx reads them) and whether the client takes gzip. Any other parameter (utm_source, fbclid,
  junk) is removed from the request before the view runs, so the view renders exactly the page the key
  names and every tracking tag shares one stored page.
- A hit whose stored generation equals the current one is served as it was stored (already compressed,
  with its CSP, ETag and other headers), or as a 304 for a matching If-None-Match: one cache round trip
  (`get_many`) and no session, template or database work. Each distinct query string is parsed once per
  process (`_read_query_string`), and the preconditions are only evaluated when the request sends one.
- On a miss the view runs; a 200 for an anonymous GET that sets no cookie, holds no CSRF token and carries
  no CSP nonce is stored with the generation read before the view ran, so a page rendered from old content
  while a change commits is never served after the change.
- `bump_content_generation()` writes a new generation; every stored page becomes a miss at once. If the
  cache is down at that moment, this process retries on its next requests and from a thread for 30 s.

Why not Django's `cache_page` or its site-wide cache middleware: both key on the full URL, so every
`?utm_source=<random>` is a new entry (a cache bypass and unbounded growth), and on every `Vary` header
including Cookie, so any analytics cookie splits the cache per visitor; they cannot invalidate every page at
once on a content change; and `cache_page` only runs after the session, CSRF, auth and CSP middleware.
Measured in one process through the WSGI handler (SQLite, debug off, 3,000 requests each, 2026-12-01): a
static file 11,000-13,000 requests/s, a hit here 7,500, a `cache_page` hit on /treatments/ 2,350. Since
2026-12-02 (query strings read once, no precondition work without a precondition) hits of the comparison
page and its htmx fragment are served at 0.89-1.0x the rate of the site's stylesheet (were 0.65-0.79x).
Everything else comes from the framework: the cache backends, `patch_vary_headers`, `patch_cache_control`,
`get_conditional_response`.
"""

import hashlib
import logging
import re
import threading
import time
from dataclasses import dataclass
from functools import lru_cache, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django_htmx.middleware import HtmxDetails

logger = logging.getLogger(__name__)

GENERATION_KEY = "content:generation"
HTMX_HEADERS = ("HX-Request", "HX-History-Restore-Request")
_GZIP = re.compile(r"\bgzip\b")
# Response Vary headers that the cache key already accounts for (Cookie: only requests without a session
# cookie are cached, and no public page depends on any other cookie).
_KEYED_VARY = {"cookie", "accept-encoding", *(header.lower() for header in HTMX_HEADERS)}
# The request headers that can make get_conditional_response answer other than with the page itself.
_CONDITIONAL = ("HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_UNMODIFIED_SINCE")
_bump_pending = False
_retrying = None
_retry_lock = threading.Lock()
RETRY_FOR_SECONDS = 30


@dataclass(frozen=True)
class PagePolicy:
    query: tuple = ()  # the query parameters the view reads (one value: Django's GET.get takes the last)
    lists: tuple = ()  # ... of which these are read as lists (GET.getlist) where order and repeats do not count
    skip_when: tuple = ()  # parameters that, when given, make the request bypass the cache (free text)
    timeout: int | None = None  # seconds; None: settings.PAGE_CACHE_SECONDS


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def default_timeout():
    return getattr(settings, "PAGE_CACHE_SECONDS", 600)


def _write_new_generation():
    generation = time.time_ns()
    _cache().set(GENERATION_KEY, generation, None)
    return _cache().get(GENERATION_KEY) == generation  # False while the cache is down (answers as a miss)


def bump_content_generation():
    """Invalidate every cached public page. Called after commit whenever content changes.

    If the cache cannot take the new generation now, this process keeps trying: on each of its requests, and
    from a thread that retries for RETRY_FOR_SECONDS (not a daemon, so a management command such as
    load_content waits for it before it exits)."""
    global _bump_pending
    try:
        done = _write_new_generation()
    except Exception:  # a cache outage must never break a staff save
        logger.exception("could not bump the content generation")
        done = False
    _bump_pending = not done
    if _bump_pending:
        _keep_retrying()
    return done


def _keep_retrying():
    global _retrying
    with _retry_lock:
        if _retrying is not None and _retrying.is_alive():
            return
        _retrying = threading.Thread(target=_retry_bump, name="page-cache-invalidation", daemon=False)
        _retrying.start()


def _retry_bump():
    global _bump_pending
    logger.warning("cached pages could not be invalidated now; retrying for %d s", RETRY_FOR_SECONDS)
    deadline = time.monotonic() + RETRY_FOR_SECONDS
    while _bump_pending and time.monotonic() < deadline:
        time.sleep(0.5)
        try:
            if _write_new_generation():
                _bump_pending = False
        except Exception:
            continue
    if _bump_pending:
        logger.error(
            "cached pages could not be invalidated: pages may show old content for up to %d s "
            "(DJANGO_PAGE_CACHE_SECONDS), or until the next content change",
            default_timeout(),
        )
    else:
        logger.info("cached pages invalidated after the cache came back")


def current_generation():
    return _cache().get(GENERATION_KEY, 0)


def _is_anonymous(request):
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def _normalise(params, policy):
    pairs = []
    for name in sorted({*policy.query, *policy.lists}):
        values = params.getlist(name)
        if name in policy.lists:
            pairs.extend((name, value) for value in sorted(set(values)))
        elif values:
            pairs.append((name, values[-1]))
    return urlencode(pairs)


def _skipped(params, policy):
    return any(any(params.getlist(name)) for name in policy.skip_when)


def normalised_query(request, policy):
    """The request's query string reduced to the view's parameters, in a fixed order."""
    return _normalise(request.GET, policy)


@lru_cache(maxsize=1024)
def _read_query_string(query_string, policy):
    # Parsed exactly as WSGIRequest.GET parses it (the WSGI string's bytes, decoded as DEFAULT_CHARSET), once
    # per distinct query string: a hit then builds no QueryDict at all.
    params = QueryDict(query_string.encode("iso-8859-1"))
    return _skipped(params, policy), _normalise(params, policy)


def _read_query(request, policy):
    """(whether a skip_when parameter is given, the normalised query) for this request."""
    if type(request) is WSGIRequest and "GET" not in request.__dict__:  # request.GET not parsed nor replaced yet
        return _read_query_string(request.META.get("QUERY_STRING", ""), policy)
    return _skipped(request.GET, policy), _normalise(request.GET, policy)


def page_key(request, query, host=None):
    """The cache key for this request's page (generation-independent)."""
    meta = request.META
    host = request.get_host() if host is None else host
    swap = restore = False
    if "HTTP_HX_REQUEST" in meta or "HTTP_HX_HISTORY_RESTORE_REQUEST" in meta:
        htmx = HtmxDetails(request)  # as the view will read them (django-htmx decodes URI-AutoEncoded values)
        swap, restore = bool(htmx), htmx.history_restore_request
    gzip = bool(_GZIP.search(meta.get("HTTP_ACCEPT_ENCODING", "")))
    raw = f"{request.scheme}://{host}{request.path}?{query}|hx={swap}|restore={restore}|gz={gzip}"
    # v2: entries hold (generation, status, headers, body); servers of the release before stored responses
    # under "page:", so a rolling deploy on one Redis never reads the other format.
    return "page:v2:" + hashlib.sha256(raw.encode()).hexdigest()


def cache_public_page(view=None, *, query=(), lists=(), skip_when=(), timeout=None, browser_max_age=0):
    """Mark a public page view as cacheable (see the module docstring)."""
    policy = PagePolicy(query=tuple(query), lists=tuple(lists), skip_when=tuple(skip_when), timeout=timeout)

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            response = view_func(request, *args, **kwargs)
            patch_vary_headers(response, HTMX_HEADERS)
            patch_cache_control(response, public=True, max_age=browser_max_age)
            response.public_page_cache_timeout = default_timeout() if policy.timeout is None else policy.timeout
            return response

        wrapper.public_page_policy = policy  # functools.wraps carries it out through outer decorators
        return wrapper

    return decorator(view) if view is not None else decorator


def _usual_host(request, host):
    """Pages hold absolute links built from the Host header, so a page is stored only for a Host in its usual
    spelling (lower case, no trailing dot, no port or this server's own): other spellings are served fresh,
    and cannot add copies without end or put odd links in front of everyone. `host` is request.get_host()
    (validated against ALLOWED_HOSTS)."""
    name, _, port = host.rpartition(":") if not host.endswith("]") else (host, "", "")
    if not name:
        name, port = host, ""
    return host == host.lower() and not name.endswith(".") and port in ("", request.META.get("SERVER_PORT"))


@lru_cache(maxsize=4096)
def _policy_for_path(path_info):
    # URL patterns are fixed while the process runs, so each path's policy is looked up once.
    try:
        match = resolve(path_info)
    except Resolver404:
        return None
    return getattr(match.func, "public_page_policy", None)


def _policy_for(request):
    return _policy_for_path(request.path_info)


def _drop_unread_parameters(request, query):
    if request.META.get("QUERY_STRING", "") != query:
        request.META["QUERY_STRING"] = query
        request.GET = QueryDict(query)


def _storable(request, response):
    if request.method != "GET" or not _is_anonymous(request):
        return False
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # the page holds a CSRF token: per visitor
        return False
    if "'nonce-" in response.get("Content-Security-Policy", ""):  # a nonce must never be reused
        return False
    if "private" in response.get("Cache-Control", "") or "no-store" in response.get("Cache-Control", ""):
        return False
    vary = {v.strip().lower() for v in response.get("Vary", "").split(",") if v.strip()}
    return vary <= _KEYED_VARY


class PublicPageCacheMiddleware:
    """Serves and stores pages of views decorated with @cache_public_page (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if _bump_pending:
            bump_content_generation()
        key = None
        generation = 0
        policy = _policy_for(request) if request.method in ("GET", "HEAD") and _is_anonymous(request) else None
        skip, query = _read_query(request, policy) if policy is not None else (True, "")
        host = None if skip else request.get_host()
        if host is not None and _usual_host(request, host):
            _drop_unread_parameters(request, query)
            key = page_key(request, query, host)
            try:
                found = _cache().get_many([GENERATION_KEY, key])
            except Exception:  # an entry that no longer unpickles after an upgrade, a broken backend
                logger.exception("page cache read failed")
                found, key = {}, None
            generation = found.get(GENERATION_KEY, 0)
            entry = found.get(key)
            if isinstance(entry, tuple) and len(entry) == 4 and entry[0] == generation:
                _, status, headers, content = entry
                response = HttpResponse(content, status=status, headers=headers)
                meta = request.META
                if any(name in meta for name in _CONDITIONAL):  # otherwise the page itself is the answer
                    return get_conditional_response(request, etag=response.get("ETag"), response=response)
                return response

        response = self.get_response(request)

        timeout = getattr(response, "public_page_cache_timeout", None)
        if key is not None and timeout and _storable(request, response):
            try:
                # Status, headers and body only: cheaper to store and read back than the response object.
                _cache().set(key, (generation, response.status_code, dict(response.items()), response.content), timeout)
            except Exception:
                logger.exception("page cache write failed")
        return response
