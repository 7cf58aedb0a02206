"""`{% recent_changes about %}`: the "Recent changes" box at the foot of a patient page.

The view passes what its page is about (`changes_about`: items and kinds of item, see
pages.changes.public_changes); the tag makes the one query. With no argument it shows the latest changes on
the whole site (the home page)."""

from django import template

from pages.changes import latest_changes
from workflow.kept import keep

register = template.Library()


@register.inclusion_tag("includes/recent_changes.html", takes_context=True)
def recent_changes(context, about=None):
    """The notes are kept per content generation (workflow/kept.py)."""
    subjects = None
    if about is not None:
        # A model stands for all its items ("*"); an item for itself. Strings, so any mix of the two sorts.
        subjects = sorted((s._meta.label, "*" if isinstance(s, type) else str(s.pk)) for s in about)
    changes = keep(context.get("request"), "recent-changes", subjects, build=lambda: latest_changes(about))
    return {"changes": changes, "site_wide": about is None}
