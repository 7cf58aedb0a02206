"""Production behaviour: the deployment checklist, admin lockout, error pages and structured logs."""

import json
import logging
import os
import secrets
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.test import Client
from django.urls import path, reverse

from config.logs import JsonFormatter

BASE_DIR = Path(__file__).resolve().parent.parent
PASSWORD = "a long enough password"


def production_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="treatments.example.org",
        **extra,
    )
    return env


def run_manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args], env=env, cwd=BASE_DIR, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_catches_a_weak_production_setting():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=production_env(DJANGO_SECURE_COOKIES="0"))
    assert result.returncode != 0
    assert "security.W012" in result.stderr + result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["DJANGO_SECRET_KEY"]
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


# --- django-axes: 5 failures lock a username + IP pair out for an hour ---------------------------------


@pytest.fixture
def staff(django_user_model):
    django_user_model.objects.create_user("nurse", password=PASSWORD, is_staff=True)
    django_user_model.objects.create_user("doctor", password=PASSWORD, is_staff=True)


def login(client, username, password, ip="127.0.0.1"):
    return client.post(reverse("admin:login"), {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.mark.django_db
def test_five_failures_lock_the_username_and_ip_out(client, staff, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(5):
        response = login(client, "nurse", "wrong password")
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS)
    refused = login(client, "nurse", PASSWORD)
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_four_failures_do_not_lock_out(client, staff):
    for _ in range(4):
        assert login(client, "nurse", "wrong password").status_code == HTTPStatus.OK
    assert login(client, "nurse", PASSWORD).status_code == HTTPStatus.FOUND


@pytest.mark.django_db
def test_lockout_does_not_spread_to_other_ips_or_other_staff(client, staff):
    for _ in range(5):
        login(client, "nurse", "wrong password")
    assert login(Client(), "nurse", PASSWORD, ip="10.1.2.3").status_code == HTTPStatus.FOUND
    assert login(Client(), "doctor", PASSWORD).status_code == HTTPStatus.FOUND


@pytest.mark.django_db
def test_lockout_ends_after_the_cool_off(client, staff, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    assert settings.AXES_COOLOFF_TIME.total_seconds() == 3600
    for _ in range(5):
        login(client, "nurse", "wrong password")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(hours=1, minutes=1))
    assert login(client, "nurse", PASSWORD).status_code == HTTPStatus.FOUND


def test_axes_is_wired_as_documented(settings):
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert settings.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


# --- errors: no traceback for patients, one JSON line with it for us --------------------------------------


def broken_view(request):
    raise RuntimeError("secret internal detail 42")


urlpatterns = [path("boom/", broken_view)]


@pytest.mark.django_db
@pytest.mark.urls(__name__)
def test_server_error_page_shows_no_traceback(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = client.get("/boom/")
    assert response.status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    body = response.content.decode()
    assert "Traceback" not in body
    assert "secret internal detail" not in body
    assert "RuntimeError" not in body

    record = next(r for r in caplog.records if r.name == "django.request")
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "ERROR"
    assert line["exc_type"] == "builtins.RuntimeError"
    assert "Traceback (most recent call last)" in line["traceback"]
    assert "secret internal detail 42" in line["traceback"]
    assert "request" not in line  # the request object (cookies, headers) stays out of the logs


@pytest.mark.django_db
def test_one_structured_line_per_request(client, caplog):
    with caplog.at_level(logging.INFO, logger="request"):
        body = client.get("/healthz").content
    records = [r for r in caplog.records if r.name == "request"]
    assert len(records) == 1
    line = json.loads(JsonFormatter().format(records[0]))
    assert line["method"] == "GET"
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert line["bytes"] == len(body)
    assert line["logger"] == "request" and "time" in line


def test_production_logging_writes_json_lines_to_stdout():
    code = (
        "import django, logging; django.setup(); "
        "logging.getLogger('request').info('GET / 200', extra={'status': 200, 'path': '/'}); "
        "logging.getLogger('django.request').error('boom', exc_info=ZeroDivisionError('x'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=production_env(), cwd=BASE_DIR, capture_output=True, text=True
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0]["status"] == 200 and lines[0]["path"] == "/"
    assert lines[1]["exc_type"] == "builtins.ZeroDivisionError"
