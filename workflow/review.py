"""The review schedule: which published content is overdue, or due soon, for its yearly check."""

import datetime

from .models import reviewed_models

DUE_SOON_DAYS = 30


def overdue(queryset, today):
    """Content whose next review date has passed."""
    return queryset.filter(next_review_due__lt=today).order_by("next_review_due")


def due_soon(queryset, today, days=DUE_SOON_DAYS):
    """Content due for review between today and `days` days from now (inclusive)."""
    return queryset.filter(
        next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=days)
    ).order_by("next_review_due")


def review_schedule(today, days=DUE_SOON_DAYS):
    """(overdue, due soon): published content of every reviewed model, each list soonest first."""
    late, soon = [], []
    for model in reviewed_models():
        published = model.objects.published()
        late += overdue(published, today)
        soon += due_soon(published, today, days)
    return sorted(late, key=lambda obj: obj.next_review_due), sorted(soon, key=lambda obj: obj.next_review_due)
