import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from comparisons.models import Comparison
from tests.factories import make_treatment
from treatments.models import Treatment
from workflow.review import due_soon, overdue

pytestmark = pytest.mark.django_db

TODAY = "2026-11-21"  # a fixed "today", so the tests don't change as the calendar moves


def content_due(*args):
    out = StringIO()
    call_command("content_due", "--today", TODAY, *args, stdout=out)
    return out.getvalue()


def test_fixture_content_is_not_overdue():
    assert Treatment.objects.published().exists()
    assert "Nothing is overdue" in content_due()


def test_overdue_treatment_fails_and_is_named():
    treatment = Treatment.objects.published().first()
    Treatment.objects.filter(pk=treatment.pk).update(
        last_reviewed=datetime.date(2025, 1, 1), next_review_due=datetime.date(2026, 1, 1)
    )
    out = StringIO()
    with pytest.raises(CommandError, match="1 published item"):
        call_command("content_due", "--today", TODAY, stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("OVERDUE"))
    assert str(treatment) in line
    assert "due 2026-01-01" in line
    assert treatment.reviewed_by in line
    assert f"/admin/treatments/treatment/{treatment.pk}/change/" in line


def test_due_soon_is_listed_but_does_not_fail():
    make_treatment(name="Soon", next_review_due=datetime.date(2026, 12, 1))
    make_treatment(name="Later", next_review_due=datetime.date(2027, 3, 1))
    out = content_due("--days", "30")
    assert "due soon  treatment  Soon | due 2026-12-01 | last reviewed by Test reviewer" in out
    assert "Later" not in out
    assert "Later" in content_due("--days", "120")


def test_drafts_are_not_listed():
    make_treatment(name="Old draft", status="draft", next_review_due=datetime.date(2026, 1, 1))
    assert "Old draft" not in content_due()


def test_comparisons_are_checked_too():
    comparison = Comparison.objects.published().first()
    Comparison.objects.filter(pk=comparison.pk).update(
        last_reviewed=datetime.date(2025, 1, 1), next_review_due=datetime.date(2026, 11, 30)
    )
    assert f"comparison {comparison} | due 2026-11-30" in content_due()


def test_queryset_helpers():
    today = datetime.date(2026, 11, 21)
    late = make_treatment(name="Late", next_review_due=today - datetime.timedelta(days=1))
    due_today = make_treatment(name="Today", next_review_due=today)
    edge = make_treatment(name="Edge", next_review_due=today + datetime.timedelta(days=30))
    names = Treatment.objects.filter(name__in=["Late", "Today", "Edge"])
    assert list(overdue(names, today)) == [late]
    assert list(due_soon(names, today, 30)) == [due_today, edge]
    assert list(due_soon(names, today, 29)) == [due_today]
