"""{% review_due_items %} for the admin index: published content overdue or due soon for review.
Uses the same helpers as `manage.py content_due`."""

from django import template
from django.utils import timezone

from treatments.admin_mixins import DUE_SOON_DAYS
from treatments.management.commands.content_due import REVIEWED_MODELS
from treatments.review import due_soon, overdue

register = template.Library()


@register.inclusion_tag("admin/review_due.html", takes_context=True)
def review_due_items(context):
    today = timezone.localdate()
    late, soon = [], []
    for model in REVIEWED_MODELS:
        published = model.objects.published()
        late += overdue(published, today)
        soon += due_soon(published, today, DUE_SOON_DAYS)
    request = context.get("request")
    return {
        "overdue": sorted(late, key=lambda obj: obj.next_review_due),
        "due_soon": sorted(soon, key=lambda obj: obj.next_review_due),
        "days": DUE_SOON_DAYS,
        "show": request is not None and request.user.is_staff,
    }


@register.filter
def admin_change_url(obj):
    from django.urls import reverse

    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
