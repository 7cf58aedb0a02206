"""Revision history: who changed what and when, a readable difference, one-step restore."""

from http import HTTPStatus

import pytest
from django.urls import reverse

from tests.admin_forms import change_form_data
from treatments.models import Treatment
from workflow.models import Status

pytestmark = pytest.mark.django_db


def edit(client, treatment, **changes):
    url = reverse("admin:treatments_treatment_change", args=[treatment.pk])
    return client.post(url, {**change_form_data(client, url), **changes})


def test_an_admin_edit_records_who_and_what_and_the_old_revert_is_switched_off(editor_client, editor):
    Treatment.objects.filter(slug="mesotherapy").update(status=Status.DRAFT)
    treatment = Treatment.objects.get(slug="mesotherapy")
    before = treatment.summary
    assert edit(editor_client, treatment, summary="A changed summary.").status_code == HTTPStatus.FOUND

    latest = treatment.history.order_by("history_date").last()
    assert latest.history_user == editor
    assert latest.summary == "A changed summary."

    history_url = reverse("admin:treatments_treatment_history", args=[treatment.pk])
    assert editor_client.get(history_url).status_code == HTTPStatus.OK
    revert_url = reverse("admin:treatments_treatment_simple_history", args=[treatment.pk, latest.history_id])
    page = editor_client.get(revert_url)
    assert page.status_code == HTTPStatus.OK
    data = {name: value for name, value in page.context["adminform"].form.initial.items() if value is not None}
    data["summary"] = before
    assert editor_client.post(revert_url, data).status_code == HTTPStatus.FORBIDDEN
    assert Treatment.objects.get(pk=treatment.pk).summary == "A changed summary."


def test_every_content_model_keeps_history():
    from django.apps import apps

    for label in ("treatments", "comparisons"):
        for model in apps.get_app_config(label).get_models():
            assert hasattr(model, "history"), model._meta.label
