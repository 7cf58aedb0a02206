"""No lost edits: two staff editing the same item; the second, stale save is refused."""

from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests.admin_forms import admin_url, change_form_data
from treatments.models import Reference, Treatment
from workflow.models import Revision, RevisionState

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
    return change_form_data(client, url)


def pending_snapshot(item):
    return Revision.objects.for_item(item).get(state=RevisionState.PENDING).snapshot


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


def row_prefix(form, formset, pk):
    return next(
        k[: -len("-id")] for k, v in form.items() if k.startswith(f"{formset}-") and k.endswith("-id") and v == pk
    )


def test_second_stale_save_of_a_treatment_is_refused_and_the_first_edit_kept(two_editors):
    alex, sam = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    alex_form, sam_form = opened_form(alex, url), opened_form(sam, url)
    assert "version" in alex_form

    alex_form["summary"] = "Alex's summary."
    assert alex.post(url, alex_form).status_code == HTTPStatus.FOUND

    sam_form["summary"] = "Sam's summary."
    sam_form["cost_notes"] = "Sam's cost notes."
    response = sam.post(url, sam_form)
    assert response.status_code == HTTPStatus.OK
    message = errors(response)
    assert "Someone else (alex) saved this treatment" in message
    assert "What changed: summary." in message
    assert "Nothing of yours was saved" in message
    assert "Sam&#x27;s cost notes." in response.content.decode()  # their input is still in the form
    kept = pending_snapshot(treatment)["item"]["fields"]
    assert kept["summary"] == "Alex's summary."
    assert kept["cost_notes"] != "Sam's cost notes."


def test_stale_edit_of_an_inline_side_effect_is_refused(two_editors):
    alex, sam = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    alex_form, sam_form = opened_form(alex, url), opened_form(sam, url)
    effect = treatment.side_effects.order_by("pk").first()
    prefix = row_prefix(alex_form, "side_effects", effect.pk)

    alex_form[f"{prefix}-duration"] = "Two or three days (Alex)"
    assert alex.post(url, alex_form).status_code == HTTPStatus.FOUND

    sam_form[f"{prefix}-duration"] = "About a week (Sam)"
    response = sam.post(url, sam_form)
    assert response.status_code == HTTPStatus.OK
    assert f"side effect changed: {effect.name}" in errors(response)
    rows = {row["pk"]: row for row in pending_snapshot(treatment)["parts"]["side_effects"]}
    assert rows[effect.pk]["fields"]["duration"] == "Two or three days (Alex)"


def test_deleting_a_row_someone_else_changed_is_refused(two_editors):
    alex, sam = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    alex_form, sam_form = opened_form(alex, url), opened_form(sam, url)
    effect = treatment.side_effects.order_by("pk").first()
    prefix = row_prefix(alex_form, "side_effects", effect.pk)
    alex_form[f"{prefix}-notes"] = "A note Alex added."
    assert alex.post(url, alex_form).status_code == HTTPStatus.FOUND
    sam_form[f"{prefix}-DELETE"] = "on"
    response = sam.post(url, sam_form)
    assert response.status_code == HTTPStatus.OK
    assert "Someone else (alex)" in errors(response)
    rows = {row["pk"]: row for row in pending_snapshot(treatment)["parts"]["side_effects"]}
    assert rows[effect.pk]["fields"]["notes"] == "A note Alex added."


def test_a_form_opened_before_a_restore_is_stale(two_editors):
    alex, sam = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    alex_form = opened_form(alex, url)
    alex_form["summary"] = "First."
    assert alex.post(url, alex_form).status_code == HTTPStatus.FOUND
    sam_form = opened_form(sam, url)
    baseline = Revision.objects.for_item(treatment).get(state=RevisionState.BASELINE)
    version = Treatment.objects.get(pk=treatment.pk).version
    versions = admin_url(Treatment, "versions", treatment.pk)
    assert alex.post(versions, {"revision": baseline.pk, "version": version}).status_code == HTTPStatus.FOUND
    assert Treatment.objects.get(pk=treatment.pk).version == version + 1  # versions only go forward
    sam_form["summary"] = "Sam, after the restore."
    response = sam.post(url, sam_form)
    assert response.status_code == HTTPStatus.OK
    assert "Someone else (alex)" in errors(response)


def test_a_restore_from_a_page_opened_before_another_save_is_refused(two_editors):
    alex, sam = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    form = opened_form(alex, url)
    form["summary"] = "First."
    assert alex.post(url, form).status_code == HTTPStatus.FOUND
    old_version = Treatment.objects.get(pk=treatment.pk).version
    form = opened_form(alex, url)
    form["summary"] = "Second."
    assert alex.post(url, form).status_code == HTTPStatus.FOUND
    baseline = Revision.objects.for_item(treatment).get(state=RevisionState.BASELINE)
    response = sam.post(
        admin_url(Treatment, "versions", treatment.pk), {"revision": baseline.pk, "version": old_version}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert pending_snapshot(treatment)["item"]["fields"]["summary"] == "Second."


def test_a_second_stale_save_of_a_reference_is_refused(two_editors):
    alex, sam = two_editors
    reference = Reference.objects.published().first()
    url = admin_url(Reference, "change", reference.pk)
    alex_form, sam_form = opened_form(alex, url), opened_form(sam, url)
    alex_form["finding"] = "Alex's reading of the finding."
    assert alex.post(url, alex_form).status_code == HTTPStatus.FOUND
    sam_form["caveat"] = "Sam's caveat."
    response = sam.post(url, sam_form)
    assert response.status_code == HTTPStatus.OK
    assert "What changed: finding." in errors(response)


def test_reloading_fixtures_moves_versions_forward(two_editors):
    from django.core.management import call_command

    alex, _ = two_editors
    treatment = Treatment.objects.get(slug="prp")
    url = change_url(treatment)
    form = opened_form(alex, url)
    before = Treatment.objects.get(pk=treatment.pk).version
    call_command("load_content", "--overwrite", verbosity=0)
    assert Treatment.objects.get(pk=treatment.pk).version > before
    form["summary"] = "Edited on a form opened before the reload."
    response = alex.post(url, form)
    assert response.status_code == HTTPStatus.OK
    assert "Someone else" in errors(response)
