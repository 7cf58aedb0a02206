"""Hostile tests of the login lockout (django-axes keyed on username + client address, config/proxy.py)."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password"
PROXY = "127.0.0.1"


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXIES = [PROXY]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    return settings


@pytest.fixture
def staff(django_user_model):
    django_user_model.objects.create_user("nurse", password=PASSWORD, is_staff=True)


def login(username, password, *, peer=PROXY, forwarded_for=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(reverse("admin:login"), {"username": username, "password": password}, **extra)


def test_one_ipv6_subscriber_cannot_guess_passwords_without_limit(staff, behind_proxy):
    """An IPv6 client holds a whole /64 (2**64 addresses). Keyed on the exact address, every new address in
    it gets five more guesses at the nurse's password: 50 wrong passwords from one home line, no lockout."""
    for n in range(1, 51):
        response = login("nurse", "wrong password", forwarded_for=f"2001:db8:1:2::{n:x}")
        assert response.status_code in (HTTPStatus.OK, HTTPStatus.TOO_MANY_REQUESTS)
    locked = login("nurse", PASSWORD, forwarded_for="2001:db8:1:2::ffff")
    assert locked.status_code == HTTPStatus.TOO_MANY_REQUESTS, "50 guesses from one /64 and still not locked out"


def test_a_proxy_seen_as_an_ipv4_mapped_address_still_counts_as_the_proxy(staff, behind_proxy):
    """gunicorn bound to a dual-stack [::]:8001 (GUNICORN_BIND) sees nginx on 127.0.0.1 as ::ffff:127.0.0.1.
    That is not 'in' 127.0.0.1/32 for ipaddress, so X-Forwarded-For is stripped and every login through the
    proxy is keyed on the proxy: five wrong passwords from anywhere lock the nurse out for everyone again."""
    mapped = "::ffff:127.0.0.1"
    for _ in range(5):
        login("nurse", "wrong password", peer=mapped, forwarded_for="198.51.100.1")
    colleague = login("nurse", PASSWORD, peer=mapped, forwarded_for="203.0.113.7")
    assert colleague.status_code == HTTPStatus.FOUND, "the nurse is locked out by a stranger's wrong passwords"
