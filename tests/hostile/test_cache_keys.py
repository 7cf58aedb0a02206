"""Hostile tests of the page cache's key (config/cache.py), through the real views and the real middleware
stack, with the test settings' local-memory cache. Each test is a finding: it fails on the code as built."""

import re
import secrets

import pytest
from django.core.cache import cache

pytestmark = pytest.mark.django_db

COMPARE = "/compare/mesotherapy-vs-prp/"


def is_full_page(response):
    return response.content.lstrip().lower().startswith(b"<!doctype html")


def stored_pages():
    """Number of stored pages in the local-memory cache (keys look like '<prefix>:1:page:<sha>')."""
    return sum(1 for key in cache._cache if ":page:" in key)


def checked_concern(response):
    return re.findall(r'name="concern" value="([^"]+)" checked', response.content.decode())


# --- Poisoning: htmx's URI-AutoEncoded headers -------------------------------------------------------
# django-htmx reads `HX-Request: %74rue` + `HX-Request-URI-AutoEncoded: true` as an htmx request (it
# unquotes the value), but the cache key compares the raw header with "true". One request therefore
# stores the fragment under the key of the full page (or the full page under the key of a swap).


def test_autoencoded_hx_request_does_not_poison_the_full_page_for_everyone(client):
    attack = client.get(COMPARE, HTTP_HX_REQUEST="%74rue", HTTP_HX_REQUEST_URI_AUTOENCODED="true")
    assert attack.status_code == 200
    assert not is_full_page(attack)  # django-htmx took it as a swap and the view sent the fragment

    visitor = client.get(COMPARE)  # a later patient, no htmx at all
    assert is_full_page(visitor), "a later visitor was served the htmx fragment (no layout, no navigation)"


def test_autoencoded_history_restore_does_not_poison_htmx_swaps(client):
    attack = client.get(
        COMPARE,
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="%74rue",
        HTTP_HX_HISTORY_RESTORE_REQUEST_URI_AUTOENCODED="true",
    )
    assert is_full_page(attack)  # django-htmx took it as a history restore

    swap = client.get(COMPARE, HTTP_HX_REQUEST="true")
    assert not is_full_page(swap), "an htmx swap was served the whole page (page nested inside the page)"


# --- Growth / bypass: request shapes that each store a new page --------------------------------------


def test_faq_search_is_not_stored_even_with_an_empty_repeat_of_q(client):
    """skip_when tests request.GET.get('q') (the LAST value); `?q=<text>&q=` has an empty last value, so the
    search is not skipped, while the normalised query sorts the values and the view searches for <text>."""
    before = stored_pages()
    for _ in range(10):
        response = client.get(f"/faq/?q={secrets.token_hex(8)}&q=")
        assert response.status_code == 200
    assert stored_pages() - before <= 1, "every free-text FAQ search was stored: unbounded cache growth"


def test_faq_search_results_are_not_served_from_the_cache(client):
    first = client.get("/faq/?q=cost&q=")
    assert b"cost" in first.content.lower()
    assert stored_pages() == 0, "a FAQ search page was stored although searches are 'not stored'"


def test_changes_page_number_spellings_do_not_each_store_a_page(client):
    """?page=1, 01, 001, +1, ' 1', 1_0 ... are all valid for Paginator (int()), each a different cache key."""
    spellings = ["1", "01", "001", "0001", "+1", " 1", "1 ", "+01", "00000000000000000001", "\u0661"]
    statuses = []
    before = stored_pages()
    for spelling in spellings:
        statuses.append(client.get("/changes/", {"page": spelling}).status_code)
    # Each spelling answers (page 1 itself, a redirect to ?page=1, or 404 for a 20-digit number)...
    assert set(statuses) <= {200, 302, 404} and statuses[0] == 200
    assert stored_pages() - before <= 2, (
        f"{stored_pages() - before} stored copies of page 1 of /changes/ (one per spelling; "
        "`?page=` + any number of leading zeros is an unbounded cache bypass)"
    )


def test_host_header_ports_do_not_each_store_a_page(client):
    """Django accepts any port (any number of digits) on an allowed host; the key uses get_host() verbatim,
    so Host: 127.0.0.1:1, :2, :00001 ... is a miss every time and a new stored page each."""
    before = stored_pages()
    for port in range(1, 21):
        response = client.get("/about/", HTTP_HOST=f"127.0.0.1:{port:0{port}d}")
        assert response.status_code == 200
    assert stored_pages() - before <= 2, f"{stored_pages() - before} stored copies of /about/, one per Host port"


def test_host_header_case_and_trailing_dot_do_not_each_store_a_page(client):
    before = stored_pages()
    for host in ["localhost", "LOCALHOST", "LocalHost", "localhost.", "lOcAlHoSt.", "LOCALHOST."]:
        assert client.get("/about/", HTTP_HOST=host).status_code == 200
    assert stored_pages() - before <= 1, f"{stored_pages() - before} stored copies of /about/ for one host"


# --- Wrong page: normalisation changes what the request means -----------------------------------------


def test_repeated_concern_shows_the_concern_django_would_pick(client):
    """Uncached, Django (QueryDict.get, forms) takes the LAST value of a repeated parameter. The middleware
    sorts the values before the view runs, so ?concern=hair-loss&concern=dark-circles shows hair-loss."""
    response = client.get(f"{COMPARE}?concern=hair-loss&concern=dark-circles")
    assert response.status_code == 200
    assert checked_concern(response) == ["dark-circles"]
