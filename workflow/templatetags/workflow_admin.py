"""{% review_due_items %} for the admin index: changes awaiting review, and published content overdue or
due soon for its yearly review.
Uses the same schedule as `manage.py content_due`."""

from django import template
from django.urls import reverse
from django.utils import timezone

from workflow.models import Revision
from workflow.review import DUE_SOON_DAYS, review_schedule

register = template.Library()


@register.inclusion_tag("admin/review_due.html", takes_context=True)
def review_due_items(context):
    late, soon = review_schedule(timezone.localdate())
    request = context.get("request")
    return {
        "overdue": late,
        "due_soon": soon,
        "days": DUE_SOON_DAYS,
        "awaiting": Revision.objects.awaiting_review().count(),
        "show": request is not None and request.user.is_staff,
    }


@register.filter
def admin_change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
