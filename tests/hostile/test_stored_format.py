"""The hit path now expects (generation, status, headers, body) under the same key as before, where the
previous release stored (generation, HttpResponse). Nothing in the key or the generation changes on deploy,
so after an upgrade (and during a rolling one, on a shared Redis) every stored page is read in the other
shape: `_, status, headers, content = entry` raises ValueError outside the try, and each cached page is a
500 until its entry expires (DJANGO_PAGE_CACHE_SECONDS, 600 s) or content changes."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config import cache as page_cache


@pytest.mark.django_db
def test_a_page_stored_by_the_previous_release_is_not_a_500(client):
    client.raise_request_exception = False
    assert client.get("/about/").status_code == 200  # stored, new shape
    key = page_cache.page_key(RequestFactory().get("/about/"), "")
    entry = page_cache._cache().get(key)
    assert entry is not None and len(entry) == 4, "test assumption: the page was stored under this key"
    generation, status, headers, content = entry
    # What 120b6d6 (the previous release) stored under the very same key:
    page_cache._cache().set(key, (generation, HttpResponse(content, status=status, headers=headers)), 600)

    response = client.get("/about/")
    assert response.status_code == 200, response.status_code
