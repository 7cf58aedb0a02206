"""`{% recent_changes about %}`: the "Recent changes" box at the foot of a patient page.

The view passes what its page is about (`changes_about`: items and kinds of item, see
pages.changes.public_changes); the tag makes the one query. With no argument it shows the latest changes on
the whole site (the home page)."""

from django import template

from pages.changes import latest_changes

register = template.Library()


@register.inclusion_tag("includes/recent_changes.html")
def recent_changes(about=None):
    return {"changes": latest_changes(about), "site_wide": about is None}
