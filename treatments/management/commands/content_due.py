"""List published content that is overdue, or due soon, for review.

    manage.py content_due [--days 30]

Prints one line per item: whether it is overdue or due soon, what it is, when it is due,
who last reviewed it and where to edit it in admin. Exits with status 1 when anything
is overdue, so it can run in CI or a daily cron job; 0 otherwise.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison
from treatments.models import Treatment
from treatments.review import due_soon, overdue

REVIEWED_MODELS = [Treatment, Comparison]


def describe(state, obj):
    meta = obj._meta
    admin_path = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return (
        f"{state:<9} {meta.verbose_name:<10} {obj} | due {obj.next_review_due:%Y-%m-%d} "
        f"| last reviewed by {obj.reviewed_by} | {admin_path}"
    )


class Command(BaseCommand):
    help = "List published treatments and comparisons that are overdue, or due soon, for review."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days", type=int, default=30, help="Also list content due within this many days (default 30)."
        )
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Check as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args, days, today, **options):
        today = today or timezone.localdate()
        late, soon = [], []
        for model in REVIEWED_MODELS:
            published = model.objects.published()
            late += overdue(published, today)
            soon += due_soon(published, today, days)
        for obj in sorted(late, key=lambda obj: obj.next_review_due):
            self.stdout.write(describe("OVERDUE", obj))
        for obj in sorted(soon, key=lambda obj: obj.next_review_due):
            self.stdout.write(describe("due soon", obj))
        if late:
            raise CommandError(f"{len(late)} published item(s) overdue for review.")
        if not soon:
            self.stdout.write(f"Nothing is overdue or due for review in the next {days} days.")
