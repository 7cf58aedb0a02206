"""One settings module, driven by environment variables (see README and .env.example)."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    """The variable's value, or `default` when it is unset or empty (as in a copied .env.example)."""
    return os.environ.get(name, "").strip() or default


def env_bool(name, default=False):
    return env_str(name, str(default)).lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    return int(env_str(name, str(default)))


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Core
DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set DJANGO_SECRET_KEY (or DJANGO_DEBUG=1 for local development).")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")

# Apps
DJANGO_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]
THIRD_PARTY_APPS = ["django_htmx", "template_partials", "csp", "axes"]
THIRD_PARTY_APPS += ["simple_history"]
# Imports run one way: pages -> comparisons -> treatments -> workflow.
LOCAL_APPS = ["pages", "comparisons", "treatments", "workflow"]
INSTALLED_APPS = DJANGO_APPS + THIRD_PARTY_APPS + LOCAL_APPS

MIDDLEWARE = [
    "config.proxy.TrustedProxyMiddleware",  # first: forwarded headers only from the proxy we were told about
    "config.logs.RequestLogMiddleware",  # times the whole stack, sees every response
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.cache.PublicPageCacheMiddleware",  # serves cached public pages before any costly middleware
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",  # ETag on every page; 304 on a matching If-None-Match
    "config.health.DatabaseUnavailableMiddleware",  # a database outage is a 503 "try again", not a 500
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "workflow.preview.PreviewMiddleware",  # staff see drafts and changes awaiting review at the page's own URL
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes requires
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

# Database: SQLite in the project by default; postgres:// URLs use psycopg 3.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend plus a client-side limit per query (config/postgresql/base.py).
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    # 0 means no statement timeout to PostgreSQL, so no client-side limit either (a long migration, say).
    statement_ms = env_int("DATABASE_STATEMENT_TIMEOUT_MS", 3000)
    DATABASE_READ_TIMEOUT = statement_ms / 1000 + 0.5 if statement_ms > 0 else None
    # Fail fast when the database hangs instead of holding a worker thread: libpq gives up connecting after
    # DATABASE_CONNECT_TIMEOUT seconds (2 at least), and the server cancels a statement after
    # DATABASE_STATEMENT_TIMEOUT_MS. /healthz runs its own check with a shorter wait (config/health.py).
    # tcp_user_timeout and keepalives drop a connection whose server has vanished from the network.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": env_int("DATABASE_CONNECT_TIMEOUT", 2),
            "options": f"-c statement_timeout={statement_ms}",
            "tcp_user_timeout": 5000,
            "keepalives": 1,
            "keepalives_idle": 5,
            "keepalives_interval": 2,
            "keepalives_count": 2,
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers queue at BEGIN rather than failing with "database is locked" half way through a save.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set (shared by every app server), local memory otherwise (one per process).
# A Redis that is down or hung costs at most REDIS_TIMEOUT_SECONDS once, then pages skip it for a few
# seconds and are served from the database (config/redis_cache.py), with one warning a minute in the log.
REDIS_URL = env_str("REDIS_URL")
CACHE_KEY_PREFIX = env_str("DJANGO_CACHE_KEY_PREFIX", "treatments")
if REDIS_URL:
    redis_timeout = float(env_str("REDIS_TIMEOUT_SECONDS", "0.25"))
    CACHES = {
        "default": {
            "BACKEND": "config.redis_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"socket_connect_timeout": redis_timeout, "socket_timeout": redis_timeout},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }
# Rendered parts of pages (an option's column of the comparison), kept in each process under the content
# generation they were made from (workflow.models.ContentGeneration, read from the database on each request),
# so they are right on every server whatever the cache above is. Always local memory: reading one back costs
# microseconds, and a process that restarts renders them again.
CACHES["rendered"] = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "rendered-parts",
    "TIMEOUT": env_int("DJANGO_RENDERED_PARTS_SECONDS", 3600),
    # Columns are few (options x concerns x comparisons, tens of KB each, about 700 KB in all); the many small
    # entries (recent changes per choice of options) must not push them out. Parts of an older generation are
    # dropped when a newer one is first seen (workflow/kept.py), so this bounds one generation's parts.
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
# Whole public pages (config/cache.py): how long a stored page lives. Content changes invalidate every
# stored page after commit (on every server when they share Redis).
PAGE_CACHE_SECONDS = env_int("DJANGO_PAGE_CACHE_SECONDS", 600)

# Templates
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    }
]

# Passwords
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Internationalisation
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# Static files: WhiteNoise serves them compressed, under hashed names.
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]
# The content files `manage.py load_content` reads and `export_content` writes, in load order.
CONTENT_FIXTURES = ["references", "treatments", "comparisons", "faq"]

# Security. Every switch defaults to on when DEBUG is off and off when it is on, so `make run`
# (DJANGO_DEBUG=1, plain http on 127.0.0.1) keeps working and production is safe unless told otherwise.
# `manage.py check --deploy --fail-level WARNING` passes with DJANGO_DEBUG=0 and the defaults below.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
# The load balancer probes /healthz over plain http; it must not be redirected.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
# Behind a TLS-terminating proxy: one switch, plus the proxy's addresses. With it on, X-Forwarded-Proto
# and X-Forwarded-For are believed only on requests whose peer is one of DJANGO_TRUSTED_PROXIES (others have
# them removed by config.proxy.TrustedProxyMiddleware); with it off, no forwarded header is believed by
# Django, django-axes or gunicorn (config/gunicorn.conf.py reads the same two variables).
BEHIND_TLS_PROXY = env_bool("DJANGO_BEHIND_TLS_PROXY")
TRUSTED_PROXIES = env_list("DJANGO_TRUSTED_PROXIES", "127.0.0.1,::1") if BEHIND_TLS_PROXY else []
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# HSTS is only ever sent on https responses (SecurityMiddleware checks request.is_secure()).
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Restoring goes through the workflow's versions page (item and rows together, reviewed like any edit).
SIMPLE_HISTORY_REVERT_DISABLED = True

SECURE_COOKIES = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = SECURE_COOKIES
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = "Lax"
if SECURE_COOKIES:
    # __Host- cookies must be Secure, Path=/ and carry no Domain (Django's defaults for the last two).
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
# The CSRF cookie stays readable by JavaScript (Django's default) in case an htmx POST needs it; pages
# that post forms carry the token in the form instead.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 12 * 60 * 60)  # staff: 12 h
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # security.W021 only asks for the HSTS "preload" token. Preloading is a decision about the clinic's
    # whole registrable domain (every subdomain, forever-ish, hard to undo), not something this app can
    # decide; HSTS itself (>= 1 year, includeSubDomains) is on. Set DJANGO_HSTS_PRELOAD=1 once agreed.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content Security Policy (django-csp 4.0). Nothing inline: scripts and styles come from our own
# static files (htmx too: django-htmx ships it), so no nonce and no 'unsafe-*' are needed. htmx runs with
# <meta name="htmx-config" content='{"includeIndicatorStyles":false,"allowEval":false,...}'> in base.html.
# The Django 5.2 admin passes its data in data-* attributes of external scripts, so it runs under this
# policy too (tests/test_headers.py checks the admin pages for inline script).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}

# Admin. Its address is configurable so it is not at the well-known /admin/.
ADMIN_PATH = env_str("DJANGO_ADMIN_PATH", "admin/").strip("/") + "/"

# django-axes: lock a username + client address pair out for an hour after 5 failed logins. Keying on the
# pair means an attacker cannot lock a member of staff out from elsewhere. The client address comes from
# django-ipware: behind a trusted proxy it is the X-Forwarded-For address the proxy saw (reduced to that one
# address by config.proxy.TrustedProxyMiddleware), otherwise the TCP peer.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses locked-out attempts before checking passwords
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(hours=1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_CLIENT_IP_CALLABLE = "config.proxy.lockout_address"  # ipware's answer, IPv6 widened to its /64
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if BEHIND_TLS_PROXY else ["REMOTE_ADDR"]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Lockouts are not shown in the admin (clinic staff do not need them there, and they would show read-only
# pages in the staff admin); they expire after the hour, or `manage.py axes_reset_username <name>` ends one.
AXES_ENABLE_ADMIN = False

# Logs: JSON lines on stdout (config/logs.py) with debug off, plain text in development.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = logging_config(fmt=LOG_FORMAT, level=env_str("DJANGO_LOG_LEVEL", "INFO"))

# Who publishes and pays for the site, and its conflict of interest: shown on About and in every page's footer
# (pages/context_processors.py). The defaults are true for a clinic-run site but name no one: the clinic
# replaces them with its own name and words. Write each as one plain sentence (SITE_PUBLISHER as a name that
# reads well after "Published by"). The site must never claim to be independent of the clinic.
SITE_PUBLISHER = env_str("SITE_PUBLISHER", "the clinic that runs this site")
SITE_FUNDING = env_str("SITE_FUNDING", "The clinic pays for this site.")
SITE_CONFLICTS = env_str(
    "SITE_CONFLICTS",
    "The clinic offers mesotherapy and PRP and earns money when people choose them, which is a conflict of interest.",
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("pages.context_processors.publisher")
