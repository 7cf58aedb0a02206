"""Work derived from published content, kept in this process for as long as that content stands.

    keep(request, "name", value, ..., build=callable)   build() once per content generation and values

The key is the name, the values, the script prefix (links start with it) and the request's content generation
(`ContentGeneration.for_request`: it changes with every committed content change, on every server, because it
lives in the database beside the content). What is kept lives in the "rendered" cache (local memory, see
settings.py). For a staff preview, or a request inside a transaction, there is no generation: `build()` runs
every time and nothing is kept. Keep only what depends on published content and the values given, never on
the visitor. `{% kept %}` (templatetags/kept.py) does the same for a part of a template.
"""

import hashlib

from django.core.cache import caches
from django.urls import get_script_prefix

from .models import ContentGeneration

_MISSING = object()


def store():
    return caches["rendered"]


def kept_key(name, generation, *values):
    raw = "\x00".join([name, str(generation), get_script_prefix(), *(repr(value) for value in values)])
    return f"kept:{name}:" + hashlib.sha256(raw.encode()).hexdigest()


def keep(request, name, *values, build):
    """build(), or what it returned before for the same name, values and content. A None result is not kept."""
    generation = ContentGeneration.for_request(request)
    if generation is None:
        return build()
    key = kept_key(name, generation, *values)
    value = store().get(key, _MISSING)
    if value is _MISSING:
        value = build()
        if value is not None:
            store().set(key, value)
    return value
