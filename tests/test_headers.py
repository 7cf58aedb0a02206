"""Security headers on every response and cookie flags (the Observatory's and ASVS's list)."""

import json
import os
import re
import subprocess
import sys
from http import HTTPStatus
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib import admin
from django.urls import reverse

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parent.parent
EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
}
PAGES = ["/treatments/", "/healthz", "/does-not-exist/"]


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.mark.parametrize("path", PAGES)
def test_strict_csp_exactly(client, path):
    assert csp_directives(client.get(path)) == EXPECTED_CSP


@pytest.mark.parametrize("path", PAGES)
def test_security_headers_on_every_response(client, path):
    response = client.get(path, secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_htmx_fragment_gets_the_same_headers(client):
    response = client.get("/treatments/", secure=True, headers={"HX-Request": "true"})
    assert csp_directives(response) == EXPECTED_CSP
    assert "Strict-Transport-Security" in response


def test_no_hsts_over_plain_http(client):
    # Browsers ignore HSTS over http; Django only sends it on https, so `make serve` on loopback is safe.
    assert "Strict-Transport-Security" not in client.get("/treatments/")


def test_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/treatments/?x=1")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"] == "https://testserver/treatments/?x=1"


def test_cookies_are_host_prefixed_secure_httponly_and_lax(client, django_user_model):
    django_user_model.objects.create_user("cookie", password="a long enough password", is_staff=True)
    login_url = reverse("admin:login")
    page = client.get(login_url, secure=True)
    csrf = page.cookies["__Host-csrftoken"]
    assert csrf["secure"] and csrf["samesite"] == "Lax" and csrf["path"] == "/" and not csrf["domain"]
    response = client.post(login_url, {"username": "cookie", "password": "a long enough password"}, secure=True)
    assert response.status_code == HTTPStatus.FOUND
    session = response.cookies["__Host-sessionid"]
    assert session["secure"] and session["httponly"] and session["samesite"] == "Lax"
    assert session["path"] == "/" and not session["domain"]


def settings_under(env):
    """Settings values as a fresh process with this environment sees them."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; print(json.dumps({k: getattr(s, k)"
        " for k in ['DEBUG', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_SECURE',"
        " 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_NAME', 'CSRF_COOKIE_NAME', 'ADMIN_PATH', 'LOG_FORMAT']}))"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST", "GUNICORN"))}
    clean.update(env, DJANGO_SETTINGS_MODULE="config.settings")
    out = subprocess.run([sys.executable, "-c", code], env=clean, cwd=BASE_DIR, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_development_stays_on_plain_http():
    values = settings_under({"DJANGO_DEBUG": "1"})
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_HSTS_SECONDS"] == 0
    assert values["SESSION_COOKIE_SECURE"] is False and values["CSRF_COOKIE_SECURE"] is False
    assert values["SESSION_COOKIE_NAME"] == "sessionid" and values["CSRF_COOKIE_NAME"] == "csrftoken"
    assert values["LOG_FORMAT"] == "text"


def test_production_defaults_and_overrides():
    prod = {"DJANGO_DEBUG": "0", "DJANGO_SECRET_KEY": "x" * 60, "DJANGO_ALLOWED_HOSTS": "example.org"}
    values = settings_under(prod)
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SESSION_COOKIE_NAME"] == "__Host-sessionid" and values["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert values["LOG_FORMAT"] == "json"
    # Empty values (a copied .env.example) keep the safe defaults.
    assert settings_under({**prod, "DJANGO_SECURE_SSL_REDIRECT": "", "DJANGO_HSTS_SECONDS": ""})["SECURE_SSL_REDIRECT"]
    # `make serve` on loopback: no redirect, secure cookies kept.
    values = settings_under({**prod, "DJANGO_SECURE_SSL_REDIRECT": "0", "DJANGO_ADMIN_PATH": "/staff-only/"})
    assert values["SECURE_SSL_REDIRECT"] is False and values["SESSION_COOKIE_SECURE"] is True
    assert values["ADMIN_PATH"] == "staff-only/"


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+=", re.I)


def admin_pages(superuser):
    pages = [reverse("admin:index"), reverse("admin:password_change")]
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        pages.append(reverse(f"{prefix}_changelist"))
        if model_admin.has_add_permission(type("Request", (), {"user": superuser})()):
            pages.append(reverse(f"{prefix}_add"))
        obj = model._default_manager.first()
        if obj is not None:
            pages.append(reverse(f"{prefix}_change", args=[obj.pk]))
            if f"{prefix}_versions" in {p.name for p in model_admin.get_urls()}:
                pages += [reverse(f"{prefix}_versions", args=[obj.pk])]
    return pages


def test_admin_runs_under_the_csp_without_inline_script(admin_client, admin_user):
    # Django 5.2's admin passes data to external scripts in data-* attributes; nothing inline, so
    # script-src 'self' needs no exception for it. This guards our own admin customisations.
    for url in admin_pages(admin_user):
        response = admin_client.get(url)
        assert response.status_code == HTTPStatus.OK, url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), f"inline <script> in {url}"
        assert not INLINE_HANDLER.search(html), f"inline event handler in {url}"
        assert csp_directives(response) == EXPECTED_CSP


def test_admin_address_comes_from_the_setting():
    assert reverse("admin:index") == "/" + django_settings.ADMIN_PATH
