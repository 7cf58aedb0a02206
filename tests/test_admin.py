"""Clinic staff can reach and use every admin page; nobody else can."""

from http import HTTPStatus

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from tests.admin_forms import inline_management_data
from treatments.models import Treatment

pytestmark = pytest.mark.django_db

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
CONTENT_MODELS = [model for model in REGISTERED if model._meta.app_label in {"treatments", "comparisons"}]


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda model: model._meta.label)
def test_changelist_add_and_change_pages_open_for_staff(editor_client, model):
    assert editor_client.get(admin_url(model, "changelist")).status_code == HTTPStatus.OK
    assert editor_client.get(admin_url(model, "changelist"), {"q": "skin"}).status_code == HTTPStatus.OK
    assert editor_client.get(admin_url(model, "add")).status_code == HTTPStatus.OK
    obj = model.objects.first()
    assert editor_client.get(admin_url(model, "change", obj.pk)).status_code == HTTPStatus.OK


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_every_admin_page_opens_for_a_superuser(admin_client, model):
    assert admin_client.get(admin_url(model, "changelist")).status_code == HTTPStatus.OK
    assert admin_client.get(admin_url(model, "add")).status_code == HTTPStatus.OK


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


def test_staff_edit_in_admin_shows_on_the_site(editor_client):
    treatment = Treatment.objects.get(slug="mesotherapy")
    change_url = admin_url(Treatment, "change", treatment.pk)
    form = editor_client.get(change_url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(inline_management_data(editor_client.get(change_url).context))
    data["summary"] = "A course of small injections, edited by clinic staff."
    data["last_reviewed"], data["next_review_due"] = "2026-11-01", "2027-11-01"
    response = editor_client.post(change_url, data)
    assert response.status_code == HTTPStatus.FOUND, response.context and response.context["adminform"].form.errors
    page = editor_client.get(reverse("treatments:list"))
    assert "edited by clinic staff" in page.content.decode()
