"""`{% recent_changes about %}`: the "Recent changes" box at the foot of a patient page.

The view passes what its page is about (`changes_about`: items and kinds of item, see
pages.changes.public_changes); the tag makes the one query. With no argument it shows the latest changes on
the whole site (the home page)."""

import hashlib

from django import template
from django.core.cache import caches
from django.urls import get_script_prefix

from pages.changes import latest_changes
from workflow.models import ContentGeneration

register = template.Library()


@register.inclusion_tag("includes/recent_changes.html", takes_context=True)
def recent_changes(context, about=None):
    """The notes are kept per content generation (workflow.models.ContentGeneration), like rendered columns."""
    generation = ContentGeneration.for_request(context.get("request"))
    if generation is None:
        return {"changes": latest_changes(about), "site_wide": about is None}
    subjects = sorted((s._meta.label, None) if isinstance(s, type) else (s._meta.label, s.pk) for s in (about or ()))
    raw = f"{generation}:{get_script_prefix()}:{about is None}:{subjects}"
    key = "changes:" + hashlib.sha256(raw.encode()).hexdigest()
    changes = caches["rendered"].get(key)
    if changes is None:
        changes = latest_changes(about)
        caches["rendered"].set(key, changes)
    return {"changes": changes, "site_wide": about is None}
