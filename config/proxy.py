"""Forwarded headers are believed only from the proxy the operator named.

With DJANGO_BEHIND_TLS_PROXY on, a request whose TCP peer (REMOTE_ADDR) is one of DJANGO_TRUSTED_PROXIES
keeps X-Forwarded-Proto and has X-Forwarded-For reduced to its right-most address: the client address the
proxy saw, whatever a client wrote into the header before it reached the proxy. django-axes reads that
address through django-ipware (AXES_IPWARE_META_PRECEDENCE_ORDER). From any other peer, and with the
setting off, the forwarded headers are removed, so neither Django nor django-axes can be lied to.
"""

import ipaddress

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from ipware import get_client_ip

FORWARDED_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)


def client_address(meta):
    """The right-most X-Forwarded-For address, if any (the one our proxy appended or set)."""
    addresses = [part.strip() for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    return addresses[-1] if addresses else None


def trusted_networks():
    """DJANGO_TRUSTED_PROXIES as networks: addresses (127.0.0.1) or ranges (10.0.0.0/8)."""
    if not settings.BEHIND_TLS_PROXY:
        return ()
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in settings.TRUSTED_PROXIES)
    except ValueError as error:
        raise ImproperlyConfigured(f"DJANGO_TRUSTED_PROXIES: {error}") from error


def parse_address(address):
    """An address as IPv4 when it is IPv4 in IPv6 clothing (::ffff:127.0.0.1 from a dual-stack socket)."""
    try:
        ip = ipaddress.ip_address((address or "").strip())
    except ValueError:
        return None
    return ip.ipv4_mapped or ip if ip.version == 6 else ip


def is_trusted(address, networks):
    ip = parse_address(address)
    return ip is not None and any(ip in network for network in networks)


def lockout_address(request):
    """AXES_CLIENT_IP_CALLABLE: the client address django-ipware finds, with an IPv6 address widened to its
    /64 (one household or phone is given a whole /64, so counting single addresses would not limit anyone)."""
    found, _ = get_client_ip(  # what django-axes itself does with django-ipware, with the same settings
        request,
        proxy_order=settings.AXES_IPWARE_PROXY_ORDER,
        proxy_count=settings.AXES_IPWARE_PROXY_COUNT,
        proxy_trusted_ips=settings.AXES_IPWARE_PROXY_TRUSTED_IPS,
        request_header_order=settings.AXES_IPWARE_META_PRECEDENCE_ORDER,
    )
    ip = parse_address(found)
    if ip is None:
        return found
    if ip.version == 6:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False).network_address)  # axes stores an address
    return str(ip)


class TrustedProxyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.networks = trusted_networks()

    def __call__(self, request):
        meta = request.META
        if self.networks and is_trusted(meta.get("REMOTE_ADDR"), self.networks):
            client = client_address(meta)
            if client:
                meta["HTTP_X_FORWARDED_FOR"] = client
        else:
            for header in FORWARDED_HEADERS:
                meta.pop(header, None)
        return self.get_response(request)
