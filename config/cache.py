"""Whole-page caching for the public (patient) pages, invalidated by a content "generation".

Usage in a view module (the view opts in; the middleware does the storing and serving):

    from config.cache import cache_public_page

    @cache_public_page            # or @cache_public_page(timeout=600)
    def comparison(request, slug): ...

and, whenever staff save content (admin save_model / post_save / post_delete signals):

    from config.cache import bump_content_generation
    bump_content_generation()

How it works:
- `PublicPageCacheMiddleware` sits just below WhiteNoise, above everything else that costs time.
  For an anonymous GET/HEAD (no session cookie) it looks up the key built from
  host + full path (query included) + whether it is an htmx request (HX-Request) + whether the client takes
  gzip. A hit whose stored generation equals the current one is served as is (already compressed, with
  the CSP / X-Frame-Options / ETag headers it was stored with), or as a 304 if the client sent the
  matching If-None-Match. So a hit costs two cache reads (one round trip with get_many) and no view,
  session, template or database work.
- On a miss, the view runs; if it was decorated and answers 200 to an anonymous GET without setting a
  cookie, using the CSRF token, or carrying a CSP nonce, the final response is stored with the current
  generation.
- `bump_content_generation()` writes a new generation; every stored page becomes a miss at once (old
  entries simply expire). With the default local-memory cache each gunicorn worker has its own cache, so a
  bump only reaches the worker that made it, and other workers serve their copy until `timeout`
  (DJANGO_PAGE_CACHE_SECONDS). Set REDIS_URL in production so every worker shares one cache.
- Pages always carry `Vary: HX-Request` (a fragment and the full page never mix in a browser or proxy
  cache), an ETag, and `Cache-Control: public, max-age=<browser_max_age>` (0 by default: browsers revalidate
  and get a 304 while the content is unchanged).
"""

import hashlib
import logging
import re
import time
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

GENERATION_KEY = "content:generation"
_GZIP = re.compile(r"\bgzip\b")
# Response Vary headers that the cache key already accounts for (Cookie: we only cache requests that carry
# no session cookie, and the content does not depend on any other cookie).
_KEYED_VARY = {"cookie", "accept-encoding", "hx-request"}


def _cache():
    return caches[getattr(settings, "PAGE_CACHE_ALIAS", "default")]


def default_timeout():
    return getattr(settings, "PAGE_CACHE_SECONDS", 600)


def bump_content_generation():
    """Invalidate every cached public page. Call after staff save or delete content."""
    generation = time.time_ns()
    try:
        _cache().set(GENERATION_KEY, generation, None)
    except Exception:  # a cache outage must never break a staff save
        logger.exception("could not bump the content generation")
    return generation


def current_generation():
    return _cache().get(GENERATION_KEY, 0)


def _is_anonymous(request):
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def page_key(request):
    """The cache key for this request's page (generation-independent)."""
    hx = request.headers.get("HX-Request") == "true"
    gzip = bool(_GZIP.search(request.headers.get("Accept-Encoding", "")))
    raw = f"{request.get_host()}|{request.get_full_path()}|hx={int(hx)}|gz={int(gzip)}"
    return "page:" + hashlib.sha256(raw.encode()).hexdigest()


def cache_public_page(view=None, *, timeout=None, browser_max_age=0):
    """Mark a public page view as cacheable (see the module docstring)."""

    def decorator(view_func):
        @wraps(view_func)
        def wrapper(request, *args, **kwargs):
            response = view_func(request, *args, **kwargs)
            patch_vary_headers(response, ["HX-Request"])
            patch_cache_control(response, public=True, max_age=browser_max_age)
            response.public_page_cache_timeout = default_timeout() if timeout is None else timeout
            return response

        return wrapper

    return decorator(view) if view is not None else decorator


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
        key = None
        generation = 0
        if request.method in ("GET", "HEAD") and _is_anonymous(request):
            key = page_key(request)
            try:
                found = _cache().get_many([GENERATION_KEY, key])
            except Exception:
                logger.exception("page cache read failed")
                found, key = {}, None
            generation = found.get(GENERATION_KEY, 0)
            entry = found.get(key) if key else None
            if entry is not None and entry[0] == generation:
                response = entry[1]
                conditional = get_conditional_response(request, etag=response.get("ETag"), response=response)
                if conditional is not response:
                    return conditional
                return response

        response = self.get_response(request)

        timeout = getattr(response, "public_page_cache_timeout", None)
        if key is not None and timeout and _storable(request, response):
            try:
                _cache().set(key, (generation, response), timeout)
            except Exception:
                logger.exception("page cache write failed")
        return response
