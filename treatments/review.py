"""The review schedule: which published content is overdue, or due soon, for its yearly check."""

import datetime


def overdue(queryset, today):
    """Content whose next review date has passed."""
    return queryset.filter(next_review_due__lt=today).order_by("next_review_due")


def due_soon(queryset, today, days):
    """Content due for review between today and `days` days from now (inclusive)."""
    return queryset.filter(
        next_review_due__gte=today, next_review_due__lte=today + datetime.timedelta(days=days)
    ).order_by("next_review_due")
