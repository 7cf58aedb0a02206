"""Roles: content editors edit drafts but cannot publish; clinical reviewers can; only superusers
manage users."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.admin_forms import change_form_data
from treatments.models import Treatment
from workflow.models import Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, django_user_model):
    user = django_user_model.objects.create_user("reviewer", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Clinical reviewers"))
    client.force_login(user)
    return client


def post_change(client, treatment, **changes):
    url = reverse("admin:treatments_treatment_change", args=[treatment.pk])
    return client.get(url), client.post(url, {**change_form_data(client, url), **changes})


def draft(slug="prp"):
    Treatment.objects.filter(slug=slug).update(status=Status.DRAFT)
    return Treatment.objects.get(slug=slug)


def test_editor_sees_status_and_review_fields_read_only(editor_client):
    page, _ = post_change(editor_client, draft(), summary="Edited.")
    form = page.context["adminform"].form
    for name in ("status", "last_reviewed", "next_review_due", "reviewed_by"):
        assert name not in form.fields


def test_editor_cannot_publish_even_by_posting_the_status(editor_client):
    treatment = draft()
    _, response = post_change(
        editor_client, treatment, summary="Edited by an editor.", status="published", reviewed_by="Me"
    )
    assert response.status_code == HTTPStatus.FOUND
    treatment.refresh_from_db()
    assert treatment.summary == "Edited by an editor."
    assert treatment.status == Status.DRAFT
    assert treatment.reviewed_by != "Me"


def test_reviewer_can_publish_and_mark_reviewed(reviewer_client, client):
    treatment = draft()
    url = reverse("admin:treatments_treatment_publish", args=[treatment.pk])
    response = reviewer_client.post(
        url,
        {
            "change_note": "Added the PRP page.",
            "reviewed_by": "Dr A Patel, dermatologist",
            "next_review_due": "2099-11-20",
            "version": treatment.version,
        },
    )
    assert response.status_code == HTTPStatus.FOUND
    treatment.refresh_from_db()
    assert treatment.status == Status.PUBLISHED
    assert treatment.reviewed_by == "Dr A Patel, dermatologist"
    assert str(treatment.next_review_due) == "2099-11-20"
    assert client.get(treatment.get_absolute_url()).status_code == HTTPStatus.OK


def test_reviewer_sees_status_and_review_fields_read_only_too(reviewer_client):
    page, _ = post_change(reviewer_client, draft(), summary="Edited.")
    form = page.context["adminform"].form
    for name in ("status", "last_reviewed", "next_review_due", "reviewed_by"):
        assert name not in form.fields


@pytest.mark.parametrize("action", ["publish", "take_down"])
def test_editor_cannot_publish_or_take_down_by_a_crafted_post(editor_client, action):
    treatment = draft() if action == "publish" else Treatment.objects.get(slug="prp")
    url = reverse(f"admin:treatments_treatment_{action}", args=[treatment.pk])
    data = {
        "change_note": "Sneaky.",
        "reviewed_by": "Me",
        "next_review_due": "2099-01-01",
        "version": treatment.version,
    }
    assert editor_client.post(url, data).status_code == HTTPStatus.FORBIDDEN
    assert Treatment.objects.get(pk=treatment.pk).status == treatment.status


def test_editor_adding_a_treatment_gets_a_draft_marked_not_reviewed(editor_client):
    page = editor_client.get(reverse("admin:treatments_treatment_add"))
    assert "status" not in page.context["adminform"].form.fields


def test_user_admin_is_for_superusers_only(editor_client, reviewer_client, admin_client):
    url = reverse("admin:auth_user_changelist")
    assert editor_client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert reviewer_client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert admin_client.get(url).status_code == HTTPStatus.OK


def test_neither_group_has_any_user_permissions():
    for name in ("Content editors", "Clinical reviewers"):
        assert not Group.objects.get(name=name).permissions.filter(content_type__app_label="auth").exists()
    assert Group.objects.get(name="Clinical reviewers").permissions.filter(codename="publish_content").exists()
    assert not Group.objects.get(name="Content editors").permissions.filter(codename="publish_content").exists()


def test_both_roles_can_edit_every_content_model_and_only_reviewers_publish():
    from workflow.models import content_models

    for name in ("Content editors", "Clinical reviewers"):
        granted = set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))
        for model in content_models():
            for action in ("add", "change", "delete", "view"):
                assert (model._meta.app_label, f"{action}_{model._meta.model_name}") in granted, (name, model)
