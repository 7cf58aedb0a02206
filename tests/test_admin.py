"""Clinic staff can reach and use every admin page; nobody else can."""

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.admin_forms import admin_url, change_form_data
from treatments.models import Treatment
from workflow.models import Publishable

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
CONTENT_MODELS = [model for model in REGISTERED if model._meta.app_label in {"treatments", "comparisons"}]


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda model: model._meta.label)
def test_changelist_add_and_change_pages_open_for_staff(editor_client, model):
    assert editor_client.get(admin_url(model, "changelist")).status_code == HTTPStatus.OK
    assert editor_client.get(admin_url(model, "changelist"), {"q": "skin"}).status_code == HTTPStatus.OK
    obj = model.objects.first()
    assert editor_client.get(admin_url(model, "change", obj.pk)).status_code == HTTPStatus.OK
    if issubclass(model, Publishable):
        assert editor_client.get(admin_url(model, "add")).status_code == HTTPStatus.OK
        assert editor_client.get(admin_url(model, "versions", obj.pk)).status_code == HTTPStatus.OK
    else:  # a row edited with its item: read here, changed only on the item's page
        assert editor_client.get(admin_url(model, "add")).status_code == HTTPStatus.FORBIDDEN
        assert "Edit it on the page of" in editor_client.get(admin_url(model, "change", obj.pk)).content.decode()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_admin_page_opens_for_a_superuser(admin_client, admin_user, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == HTTPStatus.OK
    can_add = admin.site._registry[model].has_add_permission(type("Request", (), {"user": admin_user})())
    expected = HTTPStatus.OK if can_add else HTTPStatus.FORBIDDEN
    assert admin_client.get(admin_url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_anonymous_visitors_are_sent_to_the_login_page(client, model):
    response = client.get(admin_url(model, "changelist"))
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"].startswith(reverse("admin:login"))


def test_content_editors_group_can_edit_content_and_nothing_about_users():
    group = Group.objects.get(name="Content editors")
    granted = set(group.permissions.values_list("content_type__app_label", "codename"))
    expected = set(
        Permission.objects.filter(content_type__app_label__in=["treatments", "comparisons"]).values_list(
            "content_type__app_label", "codename"
        )
    )
    assert granted == expected
    assert not any(app == "auth" for app, _ in granted)


def test_content_editor_cannot_open_user_admin(editor_client):
    response = editor_client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_every_content_field_explains_itself_to_staff():
    missing = [
        f"{model._meta.label}.{field.name}"
        for model in CONTENT_MODELS
        for field in model._meta.get_fields()
        if field.concrete and not field.auto_created and field.editable and not field.help_text
    ]
    assert missing == []


def test_staff_edit_to_published_content_waits_for_review(editor_client):
    treatment = Treatment.objects.get(slug="mesotherapy")
    change_url = admin_url(Treatment, "change", treatment.pk)
    data = change_form_data(editor_client, change_url)
    data["summary"] = "A course of small injections, edited by clinic staff."
    response = editor_client.post(change_url, data)
    assert response.status_code == HTTPStatus.FOUND, response.context and response.context["adminform"].form.errors
    page = editor_client.get(reverse("treatments:list"))
    assert "edited by clinic staff" not in page.content.decode()
    assert "waiting for a clinical reviewer" in editor_client.get(response["Location"]).content.decode()
