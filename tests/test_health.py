"""/healthz: 200 while the database answers, 503 when it does not; never cached, never redirected."""

from http import HTTPStatus
from unittest import mock

import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db


def test_healthy_database_answers_200(client):
    response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_database_down_answers_503(client):
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("connection refused")):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["status"] == "error"
    assert "connection refused" not in response.content.decode()


def test_database_query_failing_answers_503(client):
    broken = mock.MagicMock()
    broken.__enter__.return_value.execute.side_effect = OperationalError("server closed the connection")
    with mock.patch.object(connection, "cursor", return_value=broken):
        assert client.get("/healthz").status_code == HTTPStatus.SERVICE_UNAVAILABLE


def test_probe_over_http_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == HTTPStatus.OK
    assert client.get("/treatments/").status_code == HTTPStatus.MOVED_PERMANENTLY


def test_only_safe_methods(client):
    assert client.head("/healthz").status_code == HTTPStatus.OK
    assert client.post("/healthz").status_code == HTTPStatus.METHOD_NOT_ALLOWED
