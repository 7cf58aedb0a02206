"""Staff preview of drafts, review schedule in admin, readability on change pages."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison
from treatments.models import Status, Treatment

pytestmark = pytest.mark.django_db


def test_staff_preview_a_draft_treatment_on_the_patient_template(editor_client, client):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT, summary="A draft summary.")
    assert client.get(reverse("treatments:detail", args=["prp"])).status_code == HTTPStatus.NOT_FOUND
    url = reverse("preview:treatment", args=["prp"])
    response = editor_client.get(url)
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Preview: not published." in html
    assert "A draft summary." in html
    assert "treatments/treatment_detail.html" in [t.name for t in response.templates]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    # patients still cannot see it, and the preview does not leak drafts afterwards
    assert client.get(reverse("treatments:detail", args=["prp"])).status_code == HTTPStatus.NOT_FOUND
    assert not Treatment.objects.published().filter(slug="prp").exists()


def test_preview_of_a_draft_comparison(editor_client):
    comparison = Comparison.objects.first()
    Comparison.objects.filter(pk=comparison.pk).update(status=Status.DRAFT)
    response = editor_client.get(reverse("preview:comparison", args=[comparison.slug]))
    assert response.status_code == HTTPStatus.OK
    assert "Preview: not published." in response.content.decode()


def test_preview_needs_a_staff_login(client):
    response = client.get(reverse("preview:treatment", args=["prp"]))
    assert response.status_code == HTTPStatus.FOUND
    assert reverse("admin:login") in response["Location"]


def test_change_page_shows_preview_link_and_readability(editor_client):
    treatment = Treatment.objects.get(slug="prp")
    html = editor_client.get(reverse("admin:treatments_treatment_change", args=[treatment.pk])).content.decode()
    assert reverse("preview:treatment", args=["prp"]) in html
    assert "readability-report" in html


@pytest.mark.parametrize(
    "name", ["treatments_reference", "treatments_indication", "comparisons_faqentry", "comparisons_comparison"]
)
def test_readability_on_other_change_pages(editor_client, name):
    from django.apps import apps

    model = apps.get_model(name.replace("_", ".", 1))
    obj = model.objects.first()
    html = editor_client.get(reverse(f"admin:{name}_change", args=[obj.pk])).content.decode()
    assert "Readability" in html


def test_review_filter_and_admin_index_block(editor_client):
    today = timezone.localdate()
    Treatment.objects.filter(slug="prp").update(
        status=Status.PUBLISHED,
        last_reviewed=today - datetime.timedelta(days=400),
        next_review_due=today - datetime.timedelta(days=1),
    )
    changelist = reverse("admin:treatments_treatment_changelist")
    overdue = editor_client.get(changelist, {"review": "overdue"}).context["cl"].result_list
    assert [t.slug for t in overdue] == ["prp"]
    later = editor_client.get(changelist, {"review": "later"}).context["cl"].result_list
    assert "prp" not in [t.slug for t in later]
    index = editor_client.get(reverse("admin:index")).content.decode()
    assert "Review schedule" in index
    assert "Overdue" in index
