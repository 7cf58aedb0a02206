"""Staff preview at the page's own address, review schedule in admin, readability on change pages."""

import datetime
from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison
from treatments.models import Treatment
from workflow.models import Status

pytestmark = pytest.mark.django_db


def preview_of(obj):
    return f"{obj.get_absolute_url()}?preview={obj._meta.label_lower}:{obj.pk}"


def test_staff_preview_a_draft_treatment_at_its_own_address(editor_client, client):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT, summary="A draft summary.")
    treatment = Treatment.objects.get(slug="prp")
    assert client.get(treatment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    response = editor_client.get(preview_of(treatment))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "Staff preview." in html
    assert "Patients cannot see this page until a reviewer publishes it." in html
    assert "A draft summary." in html
    assert "treatments/treatment_detail.html" in [t.name for t in response.templates]
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "noindex" in response["X-Robots-Tag"]
    # patients still cannot see it, and the preview leaves nothing behind
    assert client.get(treatment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert not Treatment.objects.published().filter(slug="prp").exists()


def test_preview_of_a_draft_comparison(editor_client):
    comparison = Comparison.objects.first()
    Comparison.objects.filter(pk=comparison.pk).update(status=Status.DRAFT)
    response = editor_client.get(preview_of(comparison))
    assert response.status_code == HTTPStatus.OK
    assert "Staff preview." in response.content.decode()
    assert not Comparison.objects.published().filter(pk=comparison.pk).exists()


def test_a_visitor_who_adds_the_preview_parameter_sees_only_what_is_published(client):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT)
    treatment = Treatment.objects.get(slug="prp")
    response = client.get(preview_of(treatment))
    assert response.status_code == HTTPStatus.NOT_FOUND
    published = Treatment.objects.get(slug="mesotherapy")
    page = client.get(preview_of(published))
    assert page.status_code == HTTPStatus.OK
    assert "Staff preview" not in page.content.decode()


@pytest.mark.parametrize(
    "token", ["", "nonsense", "auth.user:1", "treatments.treatment:x", "treatments.treatment:999999"]
)
def test_a_broken_preview_token_shows_the_page_as_it_is(editor_client, token):
    response = editor_client.get(Treatment.objects.get(slug="prp").get_absolute_url(), {"preview": token})
    assert response.status_code == HTTPStatus.OK
    assert "Staff preview" not in response.content.decode()


def test_change_page_shows_preview_link_and_readability(editor_client):
    treatment = Treatment.objects.get(slug="prp")
    html = editor_client.get(reverse("admin:treatments_treatment_change", args=[treatment.pk])).content.decode()
    assert preview_of(treatment) in html
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
