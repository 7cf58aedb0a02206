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

from workflow.review import DUE_SOON_DAYS, review_schedule


def describe(state, obj):
    meta = obj._meta
    admin_path = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])
    return (
        f"{state:<9} {meta.verbose_name:<10} {obj} | due {obj.next_review_due:%Y-%m-%d} "
        f"| last reviewed by {obj.reviewed_by or 'nobody: not yet checked by a clinician'} | {admin_path}"
    )


class Command(BaseCommand):
    help = "List published treatments and comparisons that are overdue, or due soon, for review."

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=DUE_SOON_DAYS,
            help=f"Also list content due within this many days (default {DUE_SOON_DAYS}).",
        )
        parser.add_argument(
            "--today", type=datetime.date.fromisoformat, help="Check as if today were this date (YYYY-MM-DD)."
        )

    def handle(self, *args, days, today, **options):
        today = today or timezone.localdate()
        late, soon = review_schedule(today, days)
        for obj in late:
            self.stdout.write(describe("OVERDUE", obj))
        for obj in soon:
            self.stdout.write(describe("due soon", obj))
        if late:
            raise CommandError(f"{len(late)} published item(s) overdue for review.")
        if not soon:
            self.stdout.write(f"Nothing is overdue or due for review in the next {days} days.")
