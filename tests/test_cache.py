"""config/cache.py: whole-page caching for anonymous visitors, keyed on what changes the page, invalidated by a
content generation."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.urls import path

from config.cache import bump_content_generation, cache_public_page

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

calls = []


@cache_public_page(query=("concern", "a"), lists=("treatments",))
def page(request):
    calls.append(request.get_full_path())
    hx = request.headers.get("HX-Request") == "true" and request.headers.get("HX-History-Restore-Request") != "true"
    padding = "<p>long enough to be worth compressing</p>" * 10
    return HttpResponse(f"{'fragment' if hx else 'page'} {request.get_full_path()} {padding} render {len(calls)}")


@cache_public_page(query=("q",), skip_when=("q",))
def search(request):
    calls.append(request.get_full_path())
    return HttpResponse(f"results for {request.GET.get('q', '')!r}")


@cache_public_page(timeout=60)
def with_cookie(request):
    calls.append("cookie")
    response = HttpResponse("hello")
    response.set_cookie("seen", "1")
    return response


@cache_public_page
def with_form(request):
    calls.append("form")
    return HttpResponse(f"<form><input name=csrfmiddlewaretoken value={get_token(request)}></form>")


@cache_public_page
def missing(request):
    calls.append("missing")
    return HttpResponse("gone", status=404)


def plain(request):
    calls.append("plain")
    return HttpResponse("not opted in")


urlpatterns = [
    path("page/", page),
    path("cookie/", with_cookie),
    path("form/", with_form),
    path("missing/", missing),
    path("plain/", plain),
    path("search/", search),
]


@pytest.fixture(autouse=True)
def fresh():
    calls.clear()
    cache.clear()
    yield
    cache.clear()


def test_second_anonymous_visit_is_served_from_the_cache(client):
    first = client.get("/page/")
    second = client.get("/page/")
    assert calls == ["/page/"]
    assert first.content == second.content
    # Headers added below the cache (CSP, X-Frame-Options) are stored with the page.
    assert second["Content-Security-Policy"] == first["Content-Security-Policy"]
    assert second["X-Frame-Options"] == "DENY"


def test_headers_for_browsers_and_proxies(client):
    response = client.get("/page/")
    assert "HX-Request" in response["Vary"]
    assert "public" in response["Cache-Control"] and "max-age=0" in response["Cache-Control"]
    assert response["ETag"]


def test_the_parameters_a_view_reads_and_htmx_are_separate_pages(client):
    client.get("/page/?concern=hair-loss")
    client.get("/page/?concern=acne")
    fragment = client.get("/page/?concern=acne", headers={"HX-Request": "true"})
    client.get("/page/?concern=acne", headers={"HX-Request": "true"})
    assert calls == ["/page/?concern=hair-loss", "/page/?concern=acne", "/page/?concern=acne"]
    assert fragment.content.startswith(b"fragment")
    assert client.get("/page/?concern=acne").content.startswith(b"page")


def test_a_history_restore_and_a_swap_never_share_a_stored_page(client):
    both = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    restore = client.get("/page/", headers=both)
    swap = client.get("/page/", headers={"HX-Request": "true"})
    full = client.get("/page/")
    assert restore.content.startswith(b"page") and full.content.startswith(b"page")
    assert swap.content.startswith(b"fragment")
    assert client.get("/page/", headers=both).content.startswith(b"page")
    assert client.get("/page/", headers={"HX-Request": "true"}).content.startswith(b"fragment")
    assert "HX-History-Restore-Request" in swap["Vary"] and "HX-Request" in swap["Vary"]
    assert len(calls) == 3


def test_tracking_tags_and_junk_parameters_share_one_stored_page(client):
    first = client.get("/page/?concern=acne&utm_source=newsletter")
    for n in range(20):
        again = client.get(f"/page/?utm_source=x{n}&concern=acne&fbclid={n}&gclid=")
        assert again.content == first.content
    # The view never saw the junk: it rendered the page that the key names.
    assert calls == ["/page/?concern=acne"]


def test_parameter_order_and_repeats_do_not_make_new_pages(client):
    client.get("/page/?treatments=prp&treatments=mesotherapy&concern=acne")
    client.get("/page/?concern=acne&treatments=mesotherapy&treatments=prp&treatments=prp")
    assert calls == ["/page/?concern=acne&treatments=mesotherapy&treatments=prp"]


def test_free_text_searches_are_not_stored(client):
    client.get("/search/?q=bruise")
    client.get("/search/?q=bruise")
    client.get("/search/?utm_source=a")
    client.get("/search/?utm_source=b")
    assert calls == ["/search/?q=bruise", "/search/?q=bruise", "/search/"]


def test_gzip_and_plain_clients_get_their_own_copy(client):
    gz = client.get("/page/", headers={"Accept-Encoding": "gzip"})
    plain = client.get("/page/")
    assert gz["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert client.get("/page/", headers={"Accept-Encoding": "gzip"})["Content-Encoding"] == "gzip"
    assert len(calls) == 2


def test_bumping_the_generation_invalidates_every_page(client):
    client.get("/page/")
    client.get("/page/?a=1")
    bump_content_generation()
    assert client.get("/page/").content.endswith(b"render 3")
    client.get("/page/?a=1")
    assert len(calls) == 4
    client.get("/page/")
    assert len(calls) == 4


def test_repeat_visit_with_the_validator_gets_304(client):
    first = client.get("/page/")
    hit = client.get("/page/", headers={"If-None-Match": first["ETag"]})
    assert hit.status_code == HTTPStatus.NOT_MODIFIED
    assert hit.content == b""
    assert calls == ["/page/"]


def test_a_hit_still_answers_every_precondition(client):
    etag = client.get("/page/")["ETag"]
    assert client.get("/page/", headers={"If-Match": '"something-else"'}).status_code == HTTPStatus.PRECONDITION_FAILED
    assert client.get("/page/", headers={"If-Match": etag}).status_code == HTTPStatus.OK
    assert client.get("/page/", headers={"If-None-Match": "*"}).status_code == HTTPStatus.NOT_MODIFIED
    head = client.head("/page/", headers={"If-None-Match": etag})
    assert head.status_code == HTTPStatus.NOT_MODIFIED and head.content == b""
    assert calls == ["/page/"]


def test_a_hit_reads_the_query_string_as_the_view_would(client):
    # Raw UTF-8 and its percent-encoded spelling are one parameter value, so one stored page; the last of
    # repeated values counts, as GET.get reads it.
    first = client.get("/page/?concern=café")
    assert client.get("/page/?concern=caf%C3%A9").content == first.content
    assert client.get("/page/?concern=acne&concern=caf%C3%A9&utm_source=x").content == first.content
    assert calls == ["/page/?concern=caf%C3%A9"]
    # An empty search is one stored page; a search given is never served stored.
    client.get("/search/?q=")
    client.get("/search/?q=")
    client.get("/search/?q=x")
    assert calls[1:] == ["/search/?q=", "/search/?q=x"]


def test_304_also_for_pages_that_are_not_cached(client):
    first = client.get("/plain/")
    again = client.get("/plain/", headers={"If-None-Match": first["ETag"]})
    assert again.status_code == HTTPStatus.NOT_MODIFIED


def test_changed_content_gets_a_new_etag(client):
    first = client.get("/page/")
    bump_content_generation()
    after = client.get("/page/", headers={"If-None-Match": first["ETag"]})
    assert after.status_code == HTTPStatus.OK
    assert after["ETag"] != first["ETag"]


def test_signed_in_staff_are_never_served_a_cached_page(client, admin_user):
    client.get("/page/")
    client.force_login(admin_user)
    client.get("/page/")
    client.get("/page/")
    assert calls == ["/page/"] * 3


@pytest.mark.parametrize("url", ["/cookie/", "/form/", "/missing/", "/plain/"])
def test_pages_that_are_personal_failed_or_not_opted_in_are_not_stored(client, url):
    client.get(url)
    client.get(url)
    assert len(calls) == 2


def test_post_is_never_cached(client):
    client.get("/page/")
    client.post("/page/")
    assert len(calls) == 2


def test_a_cache_outage_still_serves_the_page(client):
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("redis down")):
        response = client.get("/page/")
    assert response.status_code == HTTPStatus.OK
    with mock.patch.object(cache, "set", side_effect=ConnectionError("redis down")):
        bump_content_generation()  # does not raise


def test_an_invalidation_lost_in_an_outage_is_retried_on_the_next_request(client):
    client.get("/page/")
    with mock.patch.object(cache, "set", side_effect=ConnectionError("redis down")):
        bump_content_generation()
    # Once the cache answers again, the next request retries the bump before looking anything up.
    assert client.get("/page/").content.endswith(b"render 2")


def test_an_entry_that_cannot_be_read_is_a_miss_not_an_error(client):
    client.get("/page/")
    with mock.patch.object(cache, "get_many", side_effect=ValueError("unpickling failed")):
        response = client.get("/page/")
    assert response.status_code == HTTPStatus.OK
    assert len(calls) == 2
