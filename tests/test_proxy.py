"""Behind a TLS proxy: forwarded headers are believed only with DJANGO_BEHIND_TLS_PROXY on and only from the
proxy's own address; django-axes then locks out the real client, not the proxy (config/proxy.py)."""

from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough password"
PROXY = "127.0.0.1"
SPOOFED = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_SSL": "on", "HTTP_X_FORWARDED_PROTOCOL": "https"}


@pytest.fixture
def behind_proxy(settings):
    settings.BEHIND_TLS_PROXY = True
    settings.TRUSTED_PROXIES = [PROXY, "10.0.0.0/8"]
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]
    return settings


@pytest.fixture
def redirecting(settings):
    settings.SECURE_SSL_REDIRECT = True
    return settings


@pytest.fixture
def staff(django_user_model):
    django_user_model.objects.create_user("nurse", password=PASSWORD, is_staff=True)


def test_without_the_setting_no_forwarded_scheme_header_is_believed(client, redirecting):
    response = client.get("/treatments/", REMOTE_ADDR=PROXY, **SPOOFED)
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY
    assert response["Location"].startswith("https://")


def test_behind_the_proxy_its_https_header_is_believed(client, redirecting, behind_proxy):
    assert client.get("/treatments/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert client.get("/treatments/", REMOTE_ADDR="10.4.5.6", HTTP_X_FORWARDED_PROTO="https").status_code == 200


def test_behind_the_proxy_other_peers_cannot_claim_https(client, redirecting, behind_proxy):
    response = client.get("/treatments/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == HTTPStatus.MOVED_PERMANENTLY


def test_behind_the_proxy_only_x_forwarded_proto_counts(client, redirecting, behind_proxy):
    other = {k: v for k, v in SPOOFED.items() if k != "HTTP_X_FORWARDED_PROTO"}
    assert client.get("/treatments/", REMOTE_ADDR=PROXY, **other).status_code == HTTPStatus.MOVED_PERMANENTLY


def login(username, password, *, peer=PROXY, forwarded_for=None):
    extra = {"REMOTE_ADDR": peer}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return Client().post(reverse("admin:login"), {"username": username, "password": password}, **extra)


def test_behind_the_proxy_a_stranger_cannot_lock_a_colleague_out(staff, behind_proxy):
    for _ in range(5):
        login("nurse", "wrong password", forwarded_for="198.51.100.1")
    assert login("nurse", PASSWORD, forwarded_for="198.51.100.1").status_code == HTTPStatus.TOO_MANY_REQUESTS
    # The nurse at the clinic, through the same proxy, still gets in.
    assert login("nurse", PASSWORD, forwarded_for="203.0.113.7").status_code == HTTPStatus.FOUND


def test_behind_the_proxy_an_attacker_cannot_pose_as_another_client(staff, behind_proxy):
    # The proxy appends the address it saw; what the client wrote before it is not believed.
    for _ in range(5):
        login("nurse", "wrong password", forwarded_for="203.0.113.7, 198.51.100.1")
    assert login("nurse", PASSWORD, forwarded_for="203.0.113.7").status_code == HTTPStatus.FOUND
    assert login("nurse", PASSWORD, forwarded_for="198.51.100.1").status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_without_the_setting_a_made_up_forwarded_for_does_not_dodge_the_lockout(staff):
    for n in range(5):
        login("nurse", "wrong password", peer="198.51.100.1", forwarded_for=f"192.0.2.{n}")
    refused = login("nurse", PASSWORD, peer="198.51.100.1", forwarded_for="192.0.2.99")
    assert refused.status_code == HTTPStatus.TOO_MANY_REQUESTS


def test_behind_the_proxy_a_peer_that_is_not_the_proxy_is_keyed_on_its_own_address(staff, behind_proxy):
    for n in range(5):
        login("nurse", "wrong password", peer="198.51.100.1", forwarded_for=f"192.0.2.{n}")
    assert login("nurse", PASSWORD, peer="198.51.100.1").status_code == HTTPStatus.TOO_MANY_REQUESTS
