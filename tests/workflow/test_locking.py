"""No lost edits: two staff editing the same item; the second, stale save is refused."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.admin_forms import inline_management_data
from treatments.models import SideEffect, Treatment

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_editors(django_user_model):
    group = Group.objects.get(name="Content editors")
    clients = []
    for name in ("alex", "sam"):
        user = django_user_model.objects.create_user(name, password="x", is_staff=True)
        user.groups.add(group)
        client = Client()
        client.force_login(user)
        clients.append(client)
    return clients


def change_url(treatment):
    return reverse("admin:treatments_treatment_change", args=[treatment.pk])


def opened_form(client, url):
    """What the browser would post back: every field as the page showed it."""
    context = client.get(url).context
    data = {name: value for name, value in context["adminform"].form.initial.items() if value is not None}
    data.update(inline_management_data(context))
    return data


def errors(response):
    return " ".join(
        [*response.context["adminform"].form.non_field_errors()]
        + [
            e
            for fs in response.context["inline_admin_formsets"]
            for f in fs.formset.forms
            for e in f.non_field_errors()
        ]
    )


def test_second_stale_save_of_a_treatment_is_refused_and_the_first_edit_kept(two_editors):
    alex, sam = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    alex_form, sam_form = opened_form(alex, url), opened_form(sam, url)
    assert "version" in alex_form

    alex_form["summary"] = "Alex's summary."
    response = alex.post(url, alex_form)
    assert response.status_code == HTTPStatus.FOUND

    sam_form["summary"] = "Sam's summary."
    sam_form["cost_notes"] = "Sam's cost notes."
    response = sam.post(url, sam_form)
    assert response.status_code == HTTPStatus.OK
    message = errors(response)
    assert "Someone else (alex) saved this treatment" in message
    assert "These fields changed: summary." in message
    assert "reload the page" in message
    treatment.refresh_from_db()
    assert treatment.summary == "Alex's summary."
    assert treatment.cost_notes != "Sam's cost notes."


def test_stale_edit_of_an_inline_side_effect_is_refused(two_editors):
    alex, sam = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    alex_form, sam_form = opened_form(alex, url), opened_form(sam, url)
    effect = treatment.side_effects.order_by("pk").first()
    prefix = next(
        k[: -len("-id")]
        for k, v in alex_form.items()
        if k.startswith("side_effects-") and k.endswith("-id") and v == effect.pk
    )

    alex_form[f"{prefix}-duration"] = "Two or three days (Alex)"
    assert alex.post(url, alex_form).status_code == HTTPStatus.FOUND

    sam_form[f"{prefix}-duration"] = "About a week (Sam)"
    response = sam.post(url, sam_form)
    assert response.status_code == HTTPStatus.OK
    assert "These fields changed: duration." in errors(response)
    assert SideEffect.objects.get(pk=effect.pk).duration == "Two or three days (Alex)"


def test_edits_to_different_rows_do_not_conflict(two_editors):
    alex, sam = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    alex_form, sam_form = opened_form(alex, url), opened_form(sam, url)
    alex_form["summary"] = "Alex's summary."
    assert alex.post(url, alex_form).status_code == HTTPStatus.FOUND
    effect = treatment.side_effects.order_by("pk").first()
    prefix = next(
        k[: -len("-id")]
        for k, v in sam_form.items()
        if k.startswith("side_effects-") and k.endswith("-id") and v == effect.pk
    )
    sam_form.pop("summary")
    sam_form.update({k: v for k, v in opened_form(sam, url).items() if "-" not in k})  # main form: fresh
    sam_form[f"{prefix}-notes"] = "Sam's note."
    assert sam.post(url, sam_form).status_code == HTTPStatus.FOUND
    assert SideEffect.objects.get(pk=effect.pk).notes == "Sam's note."
    assert Treatment.objects.get(pk=treatment.pk).summary == "Alex's summary."
