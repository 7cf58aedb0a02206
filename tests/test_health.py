"""/healthz: checks the database and the cache, each with its own short wait; says which part failed."""

import threading
import time
from http import HTTPStatus
from unittest import mock

import pytest
from django.db import OperationalError

from config import health

pytestmark = pytest.mark.django_db(transaction=True)

DATABASE, CACHE = health.CHECKS


def test_healthy_answers_200_naming_each_part(client):
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_database_down_answers_503_without_details(client):
    with mock.patch.object(DATABASE, "probe", side_effect=OperationalError("connection refused at 10.1.2.3")):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "error", "database": "unavailable", "cache": "ok"}
    assert "10.1.2.3" not in response.content.decode()


def test_cache_that_loses_what_it_is_given_answers_503(client):
    with mock.patch("django.core.cache.backends.locmem.LocMemCache.get", return_value=None):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json() == {"status": "error", "database": "ok", "cache": "unavailable"}


@pytest.mark.parametrize("check", [DATABASE, CACHE], ids=["database", "cache"])
def test_a_hung_part_is_reported_within_two_seconds_and_not_probed_twice(client, check):
    release = threading.Event()
    calls = []

    def hang():
        calls.append(1)
        release.wait(10)
        return True

    with mock.patch.object(check, "probe", hang):
        try:
            start = time.monotonic()
            first = client.get("/healthz")
            first_took = time.monotonic() - start
            start = time.monotonic()
            second = client.get("/healthz")  # the first check is still stuck: not started again
            second_took = time.monotonic() - start
        finally:
            release.set()
        check.running.result(timeout=5)
    assert first.status_code == second.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert first.json()[check.name] == "unavailable"
    assert first_took < 2 and second_took < 2
    assert len(calls) == 1


def test_probe_over_http_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == HTTPStatus.OK
    assert client.get("/treatments/").status_code == HTTPStatus.MOVED_PERMANENTLY


def test_only_safe_methods(client):
    assert client.head("/healthz").status_code == HTTPStatus.OK
    assert client.post("/healthz").status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_a_page_that_cannot_reach_the_database_is_a_503_try_again(client):
    with mock.patch("treatments.models.Treatment.objects.published", side_effect=OperationalError("timeout")):
        response = client.get("/treatments/")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response["Retry-After"] == "30"
    assert b"try again in a minute" in response.content
