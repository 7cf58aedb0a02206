"""Hostile tests of the promise "nothing reaches patients that a clinical reviewer has not approved, and no
staff edit is ever lost": crafted admin POSTs by an editor, two editors interleaved, what a reviewer is shown
against what goes live, malformed input at every workflow URL, and what patients (anonymous, page cache on)
see straight after each decision."""

import datetime
from http import HTTPStatus

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comparisons.models import Comparison, ComparisonPoint, FaqEntry
from tests.admin_forms import admin_url, change_form_data
from tests.factories import make_treatment
from treatments.models import Caution, Indication, Ingredient, Reference, SideEffect, Treatment, TreatmentIndication
from workflow.models import Revision, RevisionAction, RevisionState, Status

pytestmark = pytest.mark.django_db


# --- people --------------------------------------------------------------------------------------------


@pytest.fixture
def reviewer_client(reviewer):
    other = Client(raise_request_exception=False)
    other.force_login(reviewer)
    return other


@pytest.fixture
def second_editor_client(django_user_model):
    user = django_user_model.objects.create_user("editor2", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Content editors"))
    other = Client(raise_request_exception=False)
    other.force_login(user)
    return other


@pytest.fixture
def patient():
    """A visitor with no cookies at all, so the public page cache stores and serves their pages."""
    return Client(raise_request_exception=False)


@pytest.fixture
def calm_editor_client(editor):
    """An editor whose client reports a 500 as a status code instead of raising."""
    other = Client(raise_request_exception=False)
    other.force_login(editor)
    return other


# --- helpers -------------------------------------------------------------------------------------------


def page(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, (url, response.status_code)
    return response.content.decode()


def change_url(obj):
    return admin_url(type(obj), "change", obj.pk)


def form_data(client, url):
    """change_form_data, with the main form's many-to-many values posted as ids (as a browser does)."""
    data = change_form_data(client, url)
    for name, value in data.items():
        if isinstance(value, list | tuple) or hasattr(value, "model"):
            data[name] = [getattr(v, "pk", v) for v in value]
    return data


def edit(client, obj, **changes):
    url = change_url(obj)
    data = form_data(client, url)
    data.update(changes)
    return client.post(url, data)


def pending_for(obj):
    return Revision.objects.for_item(obj).get(state=RevisionState.PENDING)


def review_url(revision):
    return reverse("admin:workflow_revision_change", args=[revision.pk])


def next_year():
    return (timezone.localdate() + datetime.timedelta(days=365)).isoformat()


def approve(client, revision, note="Reworded the summary.", **extra):
    data = {
        "_approve": "1",
        "change_note": note,
        "reviewed_by": "Dr A Patel, dermatologist",
        "next_review_due": next_year(),
        **extra,
    }
    return client.post(review_url(revision), data)


def live(obj):
    return type(obj)._default_manager.get(pk=obj.pk)


def prp():
    return Treatment.objects.get(slug="prp")


def main_comparison():
    return Comparison.objects.published().order_by("sort_order", "title").first()


def nothing_pending(obj):
    return not Revision.objects.for_item(obj).filter(state=RevisionState.PENDING).exists()


# === 1. An editor trying to get unreviewed text in front of patients ======================================


def test_forged_status_and_review_fields_in_the_change_post_are_ignored(editor_client, patient):
    treatment = prp()
    before = live(treatment)
    response = edit(
        editor_client,
        treatment,
        summary="Forged straight to patients.",
        status=Status.PUBLISHED,
        reviewed_by="Dr Nobody, forged",
        last_reviewed="2099-01-01",
        next_review_due="2099-12-31",
        version=str(before.version),
    )
    assert response.status_code == HTTPStatus.FOUND
    after = live(treatment)
    assert after.summary == before.summary
    assert (after.reviewed_by, after.last_reviewed, after.next_review_due) == (
        before.reviewed_by,
        before.last_reviewed,
        before.next_review_due,
    )
    change = pending_for(treatment)
    fields = change.snapshot["item"]["fields"]
    assert fields["reviewed_by"] == before.reviewed_by and fields["next_review_due"] == str(before.next_review_due)
    assert "Forged straight to patients." not in page(patient, treatment.get_absolute_url())


@pytest.mark.parametrize("version", ["", "abc", "-1", "0", "1.5", "99999999999999999999999999", ["1", "2"]])
def test_tampered_versions_never_save_and_never_crash(calm_editor_client, version):
    treatment = prp()
    url = change_url(treatment)
    data = change_form_data(calm_editor_client, url)
    data["summary"] = "Tampered version."
    data["version"] = version
    response = calm_editor_client.post(url, data)
    assert response.status_code == HTTPStatus.OK, response.status_code  # the form comes back with an error
    assert nothing_pending(treatment)
    assert live(treatment).summary != "Tampered version."


def test_a_draft_save_with_a_forged_status_stays_a_draft(editor_client, patient):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT)
    treatment = prp()
    response = edit(editor_client, treatment, summary="Draft text.", status=Status.PUBLISHED)
    assert response.status_code == HTTPStatus.FOUND
    assert live(treatment).status == Status.DRAFT
    assert patient.get(treatment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_adding_a_treatment_with_a_forged_status_makes_a_draft(editor_client, patient):
    url = admin_url(Treatment, "add")
    data = {
        "name": "Forged treatment",
        "short_name": "Forged",
        "slug": "forged-treatment",
        "summary": "Should never be seen.",
        "sort_order": 0,
        "how_it_works": "x",
        "what_is_injected": "x",
        "how_used": Treatment.HowUsed.INJECTION_SESSIONS,
        "source": Treatment.Source.ADDED_PRODUCTS,
        "session_steps": "x",
        "session_minutes_min": 1,
        "session_minutes_max": 2,
        "numbing": "x",
        "downtime_days_min": 0,
        "downtime_days_max": 1,
        "cost_tier": Treatment.CostTier.MIDDLE,
        "cost_notes": "x",
        "status": Status.PUBLISHED,
        "reviewed_by": "Dr Forged",
        "last_reviewed": "2026-01-01",
        "next_review_due": "2099-01-01",
    }
    for prefix in ("ingredients", "side_effects", "cautions", "indication_links", "citations"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    response = editor_client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    made = Treatment.objects.get(slug="forged-treatment")
    assert made.status == Status.DRAFT and made.reviewed_by != "Dr Forged"
    assert patient.get("/treatments/forged-treatment/").status_code == HTTPStatus.NOT_FOUND
    assert "Forged treatment" not in page(patient, "/treatments/")


def assert_not_claimed(treatment, stolen):
    before = SideEffect.objects.filter(pk=stolen.pk).values().get()
    assert before["treatment_id"] == stolen.treatment_id and before["name"] == stolen.name
    for change in Revision.objects.for_item(treatment).open():
        names = [row["fields"]["name"] for row in change.snapshot["parts"]["side_effects"]]
        assert not any(name.startswith("Hijacked") for name in names)
        assert stolen.pk not in [row["pk"] for row in change.snapshot["parts"]["side_effects"]]


def test_an_inline_row_of_another_treatment_cannot_be_claimed_by_a_forged_id(calm_editor_client):
    treatment = prp()
    other = Treatment.objects.exclude(pk=treatment.pk).published().first()
    stolen = other.side_effects.first()
    url = change_url(treatment)
    data = change_form_data(calm_editor_client, url)
    data["side_effects-0-id"] = stolen.pk
    data["side_effects-0-name"] = "Hijacked side effect"
    response = calm_editor_client.post(url, data)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)  # refused, or ignored as "nothing changed"
    assert_not_claimed(treatment, stolen)


def test_an_extra_inline_row_carrying_another_treatments_id_is_refused(calm_editor_client):
    treatment = prp()
    other = Treatment.objects.exclude(pk=treatment.pk).published().first()
    stolen = other.side_effects.first()
    url = change_url(treatment)
    data = change_form_data(calm_editor_client, url)
    total = int(data["side_effects-TOTAL_FORMS"])
    data.update(
        {
            "side_effects-TOTAL_FORMS": total + 1,
            "side_effects-INITIAL_FORMS": total + 1,
            f"side_effects-{total}-id": stolen.pk,
            f"side_effects-{total}-treatment": treatment.pk,
            f"side_effects-{total}-name": "Hijacked extra",
            f"side_effects-{total}-frequency": SideEffect.Frequency.NOT_KNOWN,
            f"side_effects-{total}-duration": "x",
            f"side_effects-{total}-sort_order": 0,
        }
    )
    response = calm_editor_client.post(url, data)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert_not_claimed(treatment, stolen)


def test_a_negative_inline_id_that_does_not_exist_is_refused(calm_editor_client):
    treatment = prp()
    url = change_url(treatment)
    data = change_form_data(calm_editor_client, url)
    data["side_effects-0-id"] = -987
    data["side_effects-0-name"] = "Ghost row"
    response = calm_editor_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assert nothing_pending(treatment)


def test_moving_an_inline_row_to_another_treatment_is_refused(calm_editor_client):
    treatment = prp()
    other = Treatment.objects.exclude(pk=treatment.pk).published().first()
    url = change_url(treatment)
    data = change_form_data(calm_editor_client, url)
    row = SideEffect.objects.get(pk=data["side_effects-0-id"])
    data["side_effects-0-treatment"] = other.pk
    response = calm_editor_client.post(url, data)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    assert SideEffect.objects.get(pk=row.pk).treatment_id == treatment.pk
    for change in Revision.objects.for_item(other):
        assert change.state != RevisionState.PENDING


@pytest.mark.parametrize("total", ["-1", "abc", "100000"])
def test_total_forms_tricks_never_crash_or_save(calm_editor_client, total):
    treatment = prp()
    url = change_url(treatment)
    data = change_form_data(calm_editor_client, url)
    data["side_effects-TOTAL_FORMS"] = total
    data["summary"] = "TOTAL_FORMS trick."
    response = calm_editor_client.post(url, data)
    assert response.status_code != HTTPStatus.INTERNAL_SERVER_ERROR
    assert live(treatment).summary != "TOTAL_FORMS trick."


def test_fewer_total_forms_than_rows_does_not_drop_the_rows_left_out(editor_client, reviewer_client):
    treatment = prp()
    names = sorted(treatment.side_effects.values_list("name", flat=True))
    url = change_url(treatment)
    data = change_form_data(editor_client, url)
    data["side_effects-TOTAL_FORMS"] = 1
    data["summary"] = "Short form."
    assert editor_client.post(url, data).status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    if not nothing_pending(treatment):
        approve(reviewer_client, pending_for(treatment))
    assert sorted(live(treatment).side_effects.values_list("name", flat=True)) == names


def test_save_as_new_on_a_published_item_publishes_nothing(calm_editor_client, patient):
    treatment = prp()
    count = Treatment.objects.count()
    url = change_url(treatment)
    data = change_form_data(calm_editor_client, url)
    data.update({"_saveasnew": "Save as new", "name": "Copy of PRP", "slug": "copy-of-prp", "summary": "A copy."})
    response = calm_editor_client.post(url, data)
    assert response.status_code != HTTPStatus.INTERNAL_SERVER_ERROR
    assert patient.get("/treatments/copy-of-prp/").status_code == HTTPStatus.NOT_FOUND
    assert live(treatment).summary != "A copy."
    # whatever admin did, the published PRP must not now carry a pending change that renames it to the copy
    for change in Revision.objects.for_item(treatment).filter(state=RevisionState.PENDING):
        assert change.snapshot["item"]["fields"]["slug"] != "copy-of-prp", "save-as-new became an edit of PRP"
    assert Treatment.objects.count() in (count, count + 1)


@pytest.mark.parametrize(
    ("model", "get_row"),
    [
        (SideEffect, lambda: SideEffect.objects.first()),
        (Caution, lambda: Caution.objects.first()),
        (Ingredient, lambda: Ingredient.objects.first()),
        (TreatmentIndication, lambda: TreatmentIndication.objects.first()),
        (ComparisonPoint, lambda: ComparisonPoint.objects.first()),
    ],
)
def test_standalone_part_admin_pages_cannot_change_add_or_delete(calm_editor_client, model, get_row):
    row = get_row()
    before = type(row)._default_manager.filter(pk=row.pk).values().get()
    change = admin_url(model, "change", row.pk)
    assert calm_editor_client.get(change).status_code == HTTPStatus.OK  # readable
    data = {name: value for name, value in before.items() if value is not None}
    data.update({"name": "Changed outside review", "heading": "Changed outside review", "notes": "x", "body": "x"})
    assert calm_editor_client.post(change, data).status_code == HTTPStatus.FORBIDDEN
    assert calm_editor_client.post(admin_url(model, "add"), data).status_code == HTTPStatus.FORBIDDEN
    assert calm_editor_client.post(admin_url(model, "delete", row.pk), {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    assert calm_editor_client.post(admin_url(model, "changelist"), bulk).status_code != 500
    assert type(row)._default_manager.filter(pk=row.pk).values().get() == before


def test_bulk_delete_mixing_drafts_and_published_only_removes_drafts(editor_client, patient):
    published = FaqEntry.objects.published().first()
    draft = FaqEntry.objects.published().exclude(pk=published.pk).first()
    FaqEntry.objects.filter(pk=draft.pk).update(status=Status.DRAFT)
    response = editor_client.post(
        admin_url(FaqEntry, "changelist"),
        {"action": "delete_selected", "_selected_action": [published.pk, draft.pk], "post": "yes"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert FaqEntry.objects.filter(pk=published.pk).exists()
    assert not FaqEntry.objects.filter(pk=draft.pk).exists()
    assert pending_for(published).action == RevisionAction.DELETE
    assert f'id="{published.slug}"' in page(patient, reverse("comparisons:faq"))


def test_history_revert_post_on_a_published_item_is_refused(calm_editor_client, reviewer_client):
    treatment = prp()
    reviewer_client.post(admin_url(Treatment, "take_down", treatment.pk), {"change_note": "Checking it."})
    data = {"change_note": "Back.", "reviewed_by": "Dr A", "next_review_due": next_year()}
    data["version"] = live(treatment).version
    assert reviewer_client.post(admin_url(Treatment, "publish", treatment.pk), data).status_code == 302
    assert live(treatment).status == Status.PUBLISHED
    record = treatment.history.order_by("history_date").first()
    url = reverse("admin:treatments_treatment_simple_history", args=[treatment.pk, record.history_id])
    data = change_form_data(calm_editor_client, change_url(treatment))
    data["summary"] = "Reverted through history."
    assert calm_editor_client.post(url, data).status_code == HTTPStatus.FORBIDDEN
    assert live(treatment).summary != "Reverted through history."


def test_restoring_a_revision_of_another_kind_of_item_from_this_items_versions_page(editor_client):
    """The versions page checks only the revision's object_id, not its kind: a FAQ entry's revision whose
    object_id equals this treatment's id is accepted on the treatment's page, and restores the FAQ entry
    (permission was checked for treatments, the message talks about the treatment)."""
    treatment = prp()
    entry = FaqEntry.objects.filter(pk=treatment.pk).first()
    if entry is None:
        pytest.skip("no FAQ entry shares the treatment's id in these fixtures")
    FaqEntry.objects.filter(pk=entry.pk).update(status=Status.DRAFT)
    entry = live(entry)
    assert edit(editor_client, entry, answer="An answer written for the FAQ.").status_code == HTTPStatus.FOUND
    faq_version = Revision.objects.for_item(entry).filter(state=RevisionState.SAVED).first()
    assert edit(editor_client, entry, answer="A second answer.").status_code == HTTPStatus.FOUND
    response = editor_client.post(
        admin_url(Treatment, "versions", treatment.pk), {"revision": faq_version.pk, "version": live(entry).version}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert live(entry).answer == "A second answer.", "a FAQ entry was restored from a treatment's versions page"


def test_restoring_a_revision_of_another_treatment_is_refused(editor_client):
    treatment = prp()
    other = Treatment.objects.exclude(pk=treatment.pk).published().first()
    edit(editor_client, other, summary="Other treatment's change.")
    foreign = pending_for(other)
    response = editor_client.post(
        admin_url(Treatment, "versions", treatment.pk), {"revision": foreign.pk, "version": live(treatment).version}
    )
    assert response.status_code == HTTPStatus.FOUND
    assert nothing_pending(treatment)
    assert live(treatment).summary != "Other treatment's change."


def test_an_editor_cannot_publish_take_down_approve_or_send_back(calm_editor_client, editor_client, patient):
    treatment = prp()
    edit(editor_client, treatment, summary="Self-approved.")
    change = pending_for(treatment)
    assert approve(calm_editor_client, change).status_code == HTTPStatus.FORBIDDEN
    send_back = calm_editor_client.post(review_url(change), {"_send_back": "1", "comment": "x"})
    assert send_back.status_code == HTTPStatus.FORBIDDEN
    take_down = admin_url(Treatment, "take_down", treatment.pk)
    assert calm_editor_client.post(take_down, {"change_note": "x"}).status_code == HTTPStatus.FORBIDDEN
    Treatment.objects.filter(pk=treatment.pk).update(status=Status.DRAFT)
    publish = admin_url(Treatment, "publish", treatment.pk)
    data = {"change_note": "x", "reviewed_by": "x", "next_review_due": next_year(), "version": live(treatment).version}
    assert calm_editor_client.post(publish, data).status_code == HTTPStatus.FORBIDDEN
    assert live(treatment).status == Status.DRAFT
    assert pending_for(treatment).state == RevisionState.PENDING


def test_an_editor_cannot_add_change_or_delete_revisions_directly(calm_editor_client, editor_client):
    treatment = prp()
    edit(editor_client, treatment, summary="Pending.")
    change = pending_for(treatment)
    add = reverse("admin:workflow_revision_add")
    assert calm_editor_client.post(add, {"state": "approved"}).status_code == HTTPStatus.FORBIDDEN
    delete = reverse("admin:workflow_revision_delete", args=[change.pk])
    assert calm_editor_client.post(delete, {"post": "yes"}).status_code == HTTPStatus.FORBIDDEN
    assert Revision.objects.get(pk=change.pk).state == RevisionState.PENDING


# --- preview and the page cache ---


def preview_of(obj):
    return f"{obj.get_absolute_url()}?preview={obj._meta.label_lower}:{obj.pk}"


def test_an_anonymous_preview_parameter_shows_only_what_is_live_and_is_never_cached_for_staff_text(
    editor_client, patient
):
    treatment = prp()
    edit(editor_client, treatment, summary="Pending preview text.")
    staff = editor_client.get(preview_of(treatment))
    assert "Pending preview text." in staff.content.decode()
    assert "private" in staff["Cache-Control"] and "public" not in staff["Cache-Control"]
    for _ in range(2):  # a miss then a hit from the page cache
        assert "Pending preview text." not in page(patient, preview_of(treatment))
        assert "Pending preview text." not in page(patient, treatment.get_absolute_url())
    assert live(treatment).summary != "Pending preview text."


def test_staff_preview_does_not_poison_the_page_cache_for_the_plain_address(editor_client, patient):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT)
    treatment = prp()
    assert patient.get(treatment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert editor_client.get(preview_of(treatment)).status_code == HTTPStatus.OK
    assert patient.get(treatment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND
    assert patient.get(preview_of(treatment)).status_code == HTTPStatus.NOT_FOUND
    assert live(treatment).status == Status.DRAFT


@pytest.mark.parametrize(
    "token", ["treatments.treatment:\u00b2", "treatments.treatment:9" * 30, "x:y:z", "auth.user:1"]
)
def test_a_malformed_preview_token_from_staff_never_crashes(calm_editor_client, token):
    response = calm_editor_client.get(f"/treatments/prp/?preview={token}")
    assert response.status_code == HTTPStatus.OK, response.status_code


def test_a_new_row_is_previewed_in_the_order_patients_will_see_it_after_approval(editor_client, reviewer_client):
    """Rows new in a pending change get negative ids in the preview, and rows are ordered by id last: the
    preview shows a new ingredient first, approval gives it a new positive id and it goes last."""
    treatment = prp()
    url = change_url(treatment)
    data = change_form_data(editor_client, url)
    total = int(data["ingredients-TOTAL_FORMS"])
    existing = [data[f"ingredients-{n}-name"] for n in range(total)]
    assert existing, "PRP has ingredients in the fixtures"
    data.update(
        {
            "ingredients-TOTAL_FORMS": total + 1,
            f"ingredients-{total}-name": "Zz new ingredient",
            f"ingredients-{total}-purpose": "Added in a test.",
            f"ingredients-{total}-sort_order": data.get("ingredients-0-sort_order", 0),
        }
    )
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    preview = page(editor_client, preview_of(treatment))
    assert approve(reviewer_client, pending_for(treatment), note="Added an ingredient.").status_code == 302
    after = page(reviewer_client, treatment.get_absolute_url())

    def order(html):
        return sorted([*existing, "Zz new ingredient"], key=lambda name: html.find(name))

    assert order(preview) == order(after), "the preview showed a different order from what went live"


# --- new drafts of sources and concerns ---


def add_indication(client, name="Brand new concern", slug="brand-new-concern"):
    data = {"name": name, "slug": slug, "summary": "An unreviewed summary of a concern.", "sort_order": 0}
    response = client.post(admin_url(Indication, "add"), data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]
    made = Indication.objects.get(slug=slug)
    assert made.status == Status.DRAFT
    return made


def test_a_new_draft_concern_is_not_offered_on_the_comparison_page(editor_client, patient):
    add_indication(editor_client)
    html = page(patient, main_comparison().get_absolute_url())
    assert "Brand new concern" not in html, "an unreviewed draft concern is offered to patients"


def test_a_draft_concern_cannot_be_chosen_on_the_comparison_page(editor_client, patient):
    add_indication(editor_client)
    response = patient.get(main_comparison().get_absolute_url() + "?concern=brand-new-concern")
    assert response.status_code == HTTPStatus.NOT_FOUND, "a draft concern's page is shown to patients"


def test_a_taken_down_concern_disappears_from_patient_pages(reviewer_client, patient):
    concern = Indication.objects.published().filter(treatment_links__isnull=False).distinct().first()
    response = reviewer_client.post(admin_url(Indication, "take_down", concern.pk), {"change_note": "Removed it."})
    assert response.status_code == HTTPStatus.FOUND
    assert live(concern).status == Status.DRAFT
    comparison = page(patient, main_comparison().get_absolute_url())
    assert f'value="{concern.slug}"' not in comparison, "a taken-down concern is still offered"
    link = concern.treatment_links.first()
    treatment_page = page(patient, link.treatment.get_absolute_url())
    assert f'id="concern-{concern.slug}"' not in treatment_page, "a taken-down concern is still on the treatment page"


def test_a_new_draft_reference_is_not_shown_to_patients(editor_client, patient):
    data = {
        "key": "unreviewed-2030",
        "authors": "Nobody N",
        "year": 2030,
        "title": "An unreviewed source",
        "publisher": "Nowhere",
        "study_type": "review",
        "finding": "Unreviewed finding.",
    }
    assert editor_client.post(admin_url(Reference, "add"), data).status_code == HTTPStatus.FOUND
    assert Reference.objects.get(key="unreviewed-2030").status == Status.DRAFT
    for url in ("/references/", "/treatments/prp/", main_comparison().get_absolute_url(), "/faq/"):
        assert "An unreviewed source" not in page(patient, url), url


def test_editing_a_published_reference_waits_for_review(editor_client, patient):
    reference = Reference.objects.published().first()
    assert edit(editor_client, reference, title="A retitled source nobody checked.").status_code == 302
    for url in ("/references/", "/treatments/prp/"):
        assert "A retitled source nobody checked." not in page(patient, url)


def test_editing_a_published_concern_waits_for_review(editor_client, patient):
    concern = Indication.objects.published().filter(treatment_links__treatment__slug="prp").first()
    assert edit(editor_client, concern, name="Renamed concern nobody checked").status_code == 302
    for url in ("/", "/treatments/prp/", main_comparison().get_absolute_url()):
        assert "Renamed concern nobody checked" not in page(patient, url)


def test_a_garbage_source_id_in_an_autocomplete_field_is_a_form_error_not_a_crash(calm_editor_client):
    entry = FaqEntry.objects.published().filter(references__isnull=False).first()
    response = edit(calm_editor_client, entry, references=["not-a-number"], answer="Garbage source id.")
    assert response.status_code == HTTPStatus.OK, response.status_code
    assert nothing_pending(entry)


def test_a_garbage_source_id_in_an_inline_autocomplete_field_is_a_form_error_not_a_crash(calm_editor_client):
    treatment = prp()
    response = edit(calm_editor_client, treatment, **{"side_effects-0-references": ["1; DROP TABLE x"]})
    assert response.status_code == HTTPStatus.OK, response.status_code
    assert nothing_pending(treatment)


def test_a_pending_rename_that_clashes_with_a_later_draft_still_lets_staff_open_the_item(
    calm_editor_client, editor_client, reviewer_client
):
    """An editor renames a published source's key (pending, so the old key is still live); another source
    is then added with that new key, which is free in the live rows. Every page that rehearses the pending
    change (the item's change form, the staff preview) now hits the unique constraint."""
    reference = Reference.objects.published().first()
    assert edit(editor_client, reference, key="clashing-key").status_code == HTTPStatus.FOUND
    data = {
        "key": "clashing-key",
        "year": 2024,
        "title": "Another source",
        "publisher": "x",
        "study_type": "review",
        "finding": "x",
    }
    assert editor_client.post(admin_url(Reference, "add"), data).status_code == HTTPStatus.FOUND
    response = calm_editor_client.get(change_url(reference))
    assert response.status_code == HTTPStatus.OK, f"the source's change form answers {response.status_code}"
    refused = approve(reviewer_client, pending_for(reference), note="Renamed.")
    assert refused.status_code == HTTPStatus.OK  # refused with a message, not a crash
    assert live(reference).key != "clashing-key"


# === 2. Two editors at once ===================================================================================


def test_withdraw_from_an_old_page_drops_another_editors_newer_change(editor_client, second_editor_client):
    """Alex saves a change, then opens the page later still showing it; Sam saves a newer change on top.
    Alex presses 'Withdraw this change' (the page he has open): Sam's newer change is dropped without Sam
    ever being told. The withdraw form carries no version, so it withdraws whatever is open now."""
    treatment = prp()
    assert edit(editor_client, treatment, summary="Alex's change.").status_code == HTTPStatus.FOUND
    alex_page = editor_client.get(change_url(treatment))  # shows Alex's change and the Withdraw button
    assert b"Withdraw this change" in alex_page.content
    assert edit(second_editor_client, treatment, summary="Sam's change, built on Alex's.").status_code == 302
    sams = pending_for(treatment)
    withdraw = admin_url(Treatment, "withdraw", treatment.pk)
    editor_client.post(withdraw)  # exactly what the button Alex sees posts
    assert Revision.objects.get(pk=sams.pk).state == RevisionState.PENDING, (
        "a withdraw from a page opened before Sam's save dropped Sam's change"
    )


def test_a_stale_save_keeps_the_second_editors_text_in_the_form(editor_client, second_editor_client):
    treatment = prp()
    url = change_url(treatment)
    sams_form = form_data(second_editor_client, url)
    assert edit(editor_client, treatment, summary="Alex first.").status_code == HTTPStatus.FOUND
    sams_form["cost_notes"] = "Sam's careful cost notes."
    response = second_editor_client.post(url, sams_form)
    assert response.status_code == HTTPStatus.OK
    assert "Sam&#x27;s careful cost notes." in response.content.decode()
    assert pending_for(treatment).snapshot["item"]["fields"]["summary"] == "Alex first."


def test_a_change_saved_after_the_reviewer_opened_the_review_is_not_approved_blind(
    editor_client, second_editor_client, reviewer_client
):
    treatment = prp()
    edit(editor_client, treatment, summary="What the reviewer read.")
    first = pending_for(treatment)
    assert "What the reviewer read." in page(reviewer_client, review_url(first))
    edit(second_editor_client, treatment, summary="Slipped in after the review page was opened.")
    response = approve(reviewer_client, first)
    assert response.status_code == HTTPStatus.OK
    assert live(treatment).summary not in ("What the reviewer read.", "Slipped in after the review page was opened.")
    assert pending_for(treatment).snapshot["item"]["fields"]["summary"].startswith("Slipped in")


def test_approve_while_another_editor_has_the_form_open_loses_nothing(
    editor_client, second_editor_client, reviewer_client
):
    treatment = prp()
    edit(editor_client, treatment, summary="Alex's summary.")
    url = change_url(treatment)
    sams_form = form_data(second_editor_client, url)  # opened with Alex's change in it
    assert approve(reviewer_client, pending_for(treatment)).status_code == HTTPStatus.FOUND
    sams_form["cost_notes"] = "Sam's cost notes."
    response = second_editor_client.post(url, sams_form)
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.OK)
    if response.status_code == HTTPStatus.OK:  # refused: Sam's text must still be there to copy
        assert "Sam&#x27;s cost notes." in response.content.decode()
    else:
        fields = pending_for(treatment).snapshot["item"]["fields"]
        assert fields["cost_notes"] == "Sam's cost notes." and fields["summary"] == "Alex's summary."


def test_send_back_while_another_editor_saves_loses_nothing(editor_client, second_editor_client, reviewer_client):
    treatment = prp()
    edit(editor_client, treatment, summary="Alex's summary.")
    first = pending_for(treatment)
    url = change_url(treatment)
    sams_form = form_data(second_editor_client, url)
    sams_form["cost_notes"] = "Sam's cost notes."
    assert second_editor_client.post(url, sams_form).status_code == HTTPStatus.FOUND
    response = reviewer_client.post(review_url(first), {"_send_back": "1", "comment": "Cite a source."})
    assert response.status_code == HTTPStatus.OK  # refused: the change is no longer awaiting review
    fields = pending_for(treatment).snapshot["item"]["fields"]
    assert fields["cost_notes"] == "Sam's cost notes." and fields["summary"] == "Alex's summary."


def test_a_sent_back_change_can_be_sent_for_review_again_as_it_is(editor_client, reviewer_client):
    """The page tells the editor 'Save to send it for review again'. Saving it unchanged (the reviewer's
    question was answered elsewhere) is refused as 'Nothing was changed' and the change stays sent back."""
    treatment = prp()
    edit(editor_client, treatment, summary="Needs a second look.")
    change = pending_for(treatment)
    reviewer_client.post(review_url(change), {"_send_back": "1", "comment": "Is this sourced?"})
    html = page(editor_client, change_url(treatment))
    assert "Save to send it for review again." in html
    assert edit(editor_client, treatment).status_code == HTTPStatus.FOUND
    assert Revision.objects.for_item(treatment).filter(state=RevisionState.PENDING).exists(), (
        "saving a sent-back change as it is did not send it for review again"
    )


def test_restore_while_another_editor_saves_refuses_the_stale_one(editor_client, second_editor_client):
    treatment = prp()
    edit(editor_client, treatment, summary="First change.")
    versions = admin_url(Treatment, "versions", treatment.pk)
    opened_at = live(treatment).version
    baseline = Revision.objects.for_item(treatment).get(state=RevisionState.BASELINE)
    edit(second_editor_client, treatment, summary="Sam's newer change.")
    response = editor_client.post(versions, {"revision": baseline.pk, "version": opened_at})
    assert response.status_code == HTTPStatus.FOUND
    assert pending_for(treatment).snapshot["item"]["fields"]["summary"] == "Sam's newer change."


def test_deleting_an_inline_row_another_editor_just_edited_is_refused(editor_client, second_editor_client):
    treatment = prp()
    url = change_url(treatment)
    sams_form = form_data(second_editor_client, url)
    alex_form = form_data(editor_client, url)
    alex_form["side_effects-0-notes"] = "Alex's careful note."
    assert editor_client.post(url, alex_form).status_code == HTTPStatus.FOUND
    sams_form["side_effects-0-DELETE"] = "on"
    assert second_editor_client.post(url, sams_form).status_code == HTTPStatus.OK
    rows = pending_for(treatment).snapshot["parts"]["side_effects"]
    assert "Alex's careful note." in [row["fields"]["notes"] for row in rows]


def test_take_down_makes_open_forms_stale(editor_client, reviewer_client):
    treatment = prp()
    url = change_url(treatment)
    form = form_data(editor_client, url)
    reviewer_client.post(admin_url(Treatment, "take_down", treatment.pk), {"change_note": "Checking it."})
    form["summary"] = "Saved over a take down."
    assert editor_client.post(url, form).status_code == HTTPStatus.OK
    assert live(treatment).summary != "Saved over a take down."


def test_publishing_a_draft_an_editor_saved_after_it_was_opened_is_refused(editor_client, reviewer_client, patient):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT)
    treatment = prp()
    opened_at = live(treatment).version
    edit(editor_client, treatment, summary="Saved after the reviewer opened the publish page.")
    data = {"change_note": "New page.", "reviewed_by": "Dr A", "next_review_due": next_year(), "version": opened_at}
    response = reviewer_client.post(admin_url(Treatment, "publish", treatment.pk), data)
    assert response.status_code == HTTPStatus.OK
    assert live(treatment).status == Status.DRAFT
    assert patient.get(treatment.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_publishing_without_a_version_is_refused(reviewer_client):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT)
    treatment = prp()
    data = {"change_note": "New page.", "reviewed_by": "Dr A", "next_review_due": next_year()}
    response = reviewer_client.post(admin_url(Treatment, "publish", treatment.pk), data)
    assert response.status_code == HTTPStatus.OK
    assert live(treatment).status == Status.DRAFT


# === 3. A reviewer checking a claim ===========================================================================


def sections(client, revision):
    response = client.get(review_url(revision))
    assert response.status_code == HTTPStatus.OK
    return response.context["sections"], response.content.decode()


def test_the_review_shows_a_changed_source_link_on_an_inline_row(editor_client, reviewer_client):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    current = data.get("side_effects-0-references") or []
    extra = Reference.objects.published().exclude(pk__in=current).first()
    data["side_effects-0-references"] = [*current, extra.pk]
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    found, html = sections(reviewer_client, pending_for(treatment))
    assert any("Side effect changed" in s.title for s in found)
    assert str(extra) in html


def test_the_review_shows_a_changed_concern_on_a_treatment_for_a_concern(editor_client, reviewer_client):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    used = {int(data[f"indication_links-{n}-indication"]) for n in range(int(data["indication_links-TOTAL_FORMS"]))}
    spare = Indication.objects.exclude(pk__in=used).first()
    if spare is None:
        spare = Indication.objects.create(name="Spare concern", slug="spare-concern", summary="x")
    data["indication_links-0-indication"] = spare.pk
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND, "edit refused"
    found, html = sections(reviewer_client, pending_for(treatment))
    assert spare.name in html
    assert any(change.label.lower() == "indication" for s in found for change in s.changes)


def test_the_review_shows_a_profile_citation_change(editor_client, reviewer_client):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    old = Reference.objects.get(pk=data["citations-0-reference"])
    new = Reference.objects.published().exclude(pk=old.pk).exclude(profile_citations__treatment=treatment).first()
    data["citations-0-reference"] = new.pk
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    found, html = sections(reviewer_client, pending_for(treatment))
    assert str(new) in html and str(old) in html


def test_the_review_shows_a_reordering(editor_client, reviewer_client):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    data["ingredients-0-sort_order"] = int(data.get("ingredients-0-sort_order") or 0) + 50
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    found, _ = sections(reviewer_client, pending_for(treatment))
    assert any(change.label.lower() == "sort order" for s in found for change in s.changes)


def test_the_review_shows_comparison_column_and_point_changes(editor_client, reviewer_client):
    comparison = main_comparison()
    url = change_url(comparison)
    data = form_data(editor_client, url)
    data["columns-0-may_suit_you_if"] = "A new line about who it suits."
    data["columns-0-position"] = 9
    data["points-0-body"] = "A new point body."
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND, "edit refused"
    found, html = sections(reviewer_client, pending_for(comparison))
    assert "A new line about who it suits." in html and "A new point body." in html
    assert any(change.label.lower() == "position" for s in found for change in s.changes)


def test_the_review_shows_a_changed_comparison_source_list(editor_client, reviewer_client):
    comparison = main_comparison()
    url = change_url(comparison)
    data = form_data(editor_client, url)
    current = [int(v) for v in data.get("references", [])]
    extra = Reference.objects.published().exclude(pk__in=current).first()
    data["references"] = [*current, extra.pk]
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    _, html = sections(reviewer_client, pending_for(comparison))
    assert str(extra) in html


def test_approving_makes_live_exactly_the_reviewed_snapshot(editor_client, reviewer_client):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    data["summary"] = "Reviewed summary."
    data["side_effects-0-notes"] = "Reviewed note."
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    change = pending_for(treatment)
    approve(reviewer_client, change)
    now = live(treatment)
    assert now.summary == "Reviewed summary."
    reviewed_rows = {row["fields"]["name"]: row["fields"] for row in change.snapshot["parts"]["side_effects"]}
    for row in now.side_effects.all():
        assert reviewed_rows[row.name]["notes"] == row.notes
    assert len(reviewed_rows) == now.side_effects.count()


def test_restoring_a_version_that_points_at_a_since_deleted_treatment_is_refused_cleanly(editor_client):
    """A draft FAQ entry was once about a treatment that has since been deleted (the live row's link was set
    to null by the delete). Restoring that version writes the dead id back: SQLite and PostgreSQL check
    foreign keys only at COMMIT, after restore()'s IntegrityError handler, so in production the request
    fails with a 500 at commit instead of the message 'That version cannot be restored as it is'."""
    doomed = make_treatment(status=Status.DRAFT)
    entry = FaqEntry.objects.published().first()
    FaqEntry.objects.filter(pk=entry.pk).update(status=Status.DRAFT)
    entry = live(entry)
    assert edit(editor_client, entry, treatment=doomed.pk).status_code == HTTPStatus.FOUND
    about_doomed = Revision.objects.for_item(entry).filter(state=RevisionState.SAVED).first()
    assert about_doomed.snapshot["item"]["fields"]["treatment"] == doomed.pk
    assert editor_client.post(admin_url(Treatment, "delete", doomed.pk), {"post": "yes"}).status_code == 302
    assert not Treatment.objects.filter(pk=doomed.pk).exists()
    versions = admin_url(FaqEntry, "versions", entry.pk)
    editor_client.post(versions, {"revision": about_doomed.pk, "version": live(entry).version})
    try:
        connection.check_constraints()  # what COMMIT would do: must not find a dangling foreign key
    finally:  # leave no dangling key behind for the test teardown's own check
        FaqEntry.objects.filter(treatment_id=doomed.pk).update(treatment=None)


# === 4. Bad input at every workflow URL =======================================================================

BAD_IDS = ["abc", "-1", "1.5", "99999999", "9" * 30, "%00", "1%2F..%2F2", "\u00b2"]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("action", ["versions", "publish", "take_down", "withdraw"])
def test_item_pages_with_bad_ids_never_crash(reviewer_client, action, bad):
    url = admin_url(Treatment, action, "1").replace("/1/", f"/{bad}/", 1)
    for method in (reviewer_client.get, reviewer_client.post):
        response = method(url)
        assert response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.FOUND), (method, url, response.status_code)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_the_review_page_with_bad_ids_never_crashes(reviewer_client, bad):
    url = reverse("admin:workflow_revision_change", args=["1"]).replace("/1/", f"/{bad}/", 1)
    for method in (reviewer_client.get, reviewer_client.post):
        response = method(url, {"_approve": "1", "change_note": "x"}) if method == reviewer_client.post else method(url)
        assert response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.FOUND), (url, response.status_code)


@pytest.mark.parametrize("bad", ["abc", "9" * 30, "-1"])
def test_the_history_page_with_a_bad_history_id_never_crashes(calm_editor_client, bad):
    url = reverse("admin:treatments_treatment_simple_history", args=[prp().pk, "1"]).replace("/1/", f"/{bad}/")
    response = calm_editor_client.get(url)
    assert response.status_code in (HTTPStatus.NOT_FOUND, HTTPStatus.FOUND), response.status_code


def test_withdraw_by_get_changes_nothing(editor_client):
    treatment = prp()
    edit(editor_client, treatment, summary="Still wanted.")
    change = pending_for(treatment)
    assert editor_client.get(admin_url(Treatment, "withdraw", treatment.pk)).status_code == HTTPStatus.FOUND
    assert Revision.objects.get(pk=change.pk).state == RevisionState.PENDING


def test_approve_by_get_changes_nothing(editor_client, reviewer_client):
    treatment = prp()
    edit(editor_client, treatment, summary="Not approved by a GET.")
    change = pending_for(treatment)
    response = reviewer_client.get(review_url(change) + "?_approve=1&change_note=x&reviewed_by=x")
    assert response.status_code == HTTPStatus.OK
    assert Revision.objects.get(pk=change.pk).state == RevisionState.PENDING


def test_take_down_and_publish_by_get_change_nothing(reviewer_client):
    treatment = prp()
    assert reviewer_client.get(admin_url(Treatment, "take_down", treatment.pk) + "?change_note=x").status_code == 200
    assert live(treatment).status == Status.PUBLISHED


@pytest.mark.parametrize(
    "extra",
    [
        {"next_review_due": "2026-02-30"},
        {"next_review_due": "yesterday"},
        {"next_review_due": "0001-01-01"},
        {"next_review_due": "99999-01-01"},
        {"next_review_due": ""},
        {"change_note": "x" * 5000},
        {"change_note": "   "},
        {"reviewed_by": "x" * 5000},
        {"reviewed_by": ""},
    ],
)
def test_a_malformed_approval_is_refused_with_a_message(editor_client, reviewer_client, extra):
    treatment = prp()
    edit(editor_client, treatment, summary="Malformed approval.")
    response = approve(reviewer_client, pending_for(treatment), **extra)
    assert response.status_code == HTTPStatus.OK, response.status_code
    assert live(treatment).summary != "Malformed approval."


def test_a_very_long_send_back_comment_and_take_down_note_never_crash(editor_client, reviewer_client):
    treatment = prp()
    edit(editor_client, treatment, summary="Long comment.")
    response = reviewer_client.post(review_url(pending_for(treatment)), {"_send_back": "1", "comment": "x" * 100_000})
    assert response.status_code in (HTTPStatus.FOUND, HTTPStatus.OK)
    response = reviewer_client.post(admin_url(Treatment, "take_down", treatment.pk), {"change_note": "y" * 5000})
    assert response.status_code == HTTPStatus.OK
    assert live(treatment).status == Status.PUBLISHED


@pytest.mark.parametrize("revision", ["abc", "9" * 30, "-5", ""])
@pytest.mark.parametrize("version", ["abc", "9" * 30, ""])
def test_a_malformed_restore_never_crashes_or_restores(calm_editor_client, revision, version):
    treatment = prp()
    response = calm_editor_client.post(
        admin_url(Treatment, "versions", treatment.pk), {"revision": revision, "version": version}
    )
    assert response.status_code == HTTPStatus.FOUND, response.status_code
    assert nothing_pending(treatment)


@pytest.mark.parametrize("version", ["abc", "9" * 30, "-1", ""])
def test_a_malformed_publish_never_crashes(reviewer_client, version):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT)
    treatment = prp()
    data = {"change_note": "x", "reviewed_by": "Dr A", "next_review_due": next_year(), "version": version}
    response = reviewer_client.post(admin_url(Treatment, "publish", treatment.pk), data)
    assert response.status_code == HTTPStatus.OK, response.status_code
    assert live(treatment).status == Status.DRAFT


# === 5. Patients, with the page cache on =====================================================================


@pytest.fixture
def commits(django_capture_on_commit_callbacks):
    """Run the on-commit hooks (the page cache's invalidation) as a real commit would."""

    def run(action, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args, **kwargs)

    return run


def cached(patient, url):
    first, second = page(patient, url), page(patient, url)
    assert first == second
    return first


def test_an_approved_change_shows_at_once_through_the_page_cache(editor_client, reviewer_client, patient, commits):
    treatment = prp()
    url = treatment.get_absolute_url()
    commits(edit, editor_client, treatment, summary="Approved and live at once.")
    assert "Approved and live at once." not in cached(patient, url)
    assert commits(approve, reviewer_client, pending_for(treatment)).status_code == HTTPStatus.FOUND
    html = page(patient, url)
    assert "Approved and live at once." in html
    assert "Reworded the summary." in html  # the note for patients
    assert "Reworded the summary." in page(patient, "/changes/")


def test_the_comparison_table_fragment_is_refreshed_after_approval(editor_client, reviewer_client, patient, commits):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    data["side_effects-0-name"] = "A freshly approved side effect"
    commits(editor_client.post, url, data)
    comparison = main_comparison().get_absolute_url()
    before = patient.get(comparison, headers={"HX-Request": "true"}).content.decode()
    assert "A freshly approved side effect" not in before
    commits(approve, reviewer_client, pending_for(treatment), note="Renamed a side effect.")
    after = patient.get(comparison, headers={"HX-Request": "true"}).content.decode()
    assert "A freshly approved side effect" in after


def test_patients_see_who_reviewed_the_page_after_approval(editor_client, reviewer_client, patient, commits):
    """README: 'patients see [last reviewed, reviewed by, next review due] at the foot of each page' and
    approval updates 'the page's reviewed by line'. The foot of the page shows only the two dates."""
    treatment = prp()
    commits(edit, editor_client, treatment, summary="Checked by a named reviewer.")
    commits(approve, reviewer_client, pending_for(treatment), reviewed_by="Dr Q Reviewer, dermatologist")
    assert live(treatment).reviewed_by == "Dr Q Reviewer, dermatologist"
    html = page(patient, treatment.get_absolute_url())
    assert timezone.localdate().strftime("%Y-%m-%d") in html
    assert "Dr Q Reviewer, dermatologist" in html, "the reviewed-by line is not on the patient page"


def test_a_take_down_is_a_404_at_once_through_the_page_cache(reviewer_client, patient, commits):
    treatment = prp()
    url = treatment.get_absolute_url()
    cached(patient, url)
    response = commits(reviewer_client.post, admin_url(Treatment, "take_down", treatment.pk), {"change_note": "Gone."})
    assert response.status_code == HTTPStatus.FOUND
    assert patient.get(url).status_code == HTTPStatus.NOT_FOUND
    assert treatment.name not in page(patient, "/treatments/")


def test_an_approved_deletion_disappears_at_once_through_the_page_cache(
    editor_client, reviewer_client, patient, commits
):
    entry = FaqEntry.objects.published().first()
    assert f'id="{entry.slug}"' in cached(patient, reverse("comparisons:faq"))
    commits(editor_client.post, admin_url(FaqEntry, "delete", entry.pk), {"post": "yes"})
    assert f'id="{entry.slug}"' in page(patient, reverse("comparisons:faq"))
    commits(approve, reviewer_client, pending_for(entry), note="Removed a question.")
    assert f'id="{entry.slug}"' not in page(patient, reverse("comparisons:faq"))


def test_a_published_draft_shows_at_once_through_the_page_cache(reviewer_client, patient, commits):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT)
    treatment = prp()
    url = treatment.get_absolute_url()
    assert patient.get(url).status_code == HTTPStatus.NOT_FOUND
    assert "PRP (platelet-rich plasma)" not in cached(patient, "/treatments/")
    data = {"change_note": "Back.", "reviewed_by": "Dr A", "next_review_due": next_year()}
    data["version"] = treatment.version
    assert commits(reviewer_client.post, admin_url(Treatment, "publish", treatment.pk), data).status_code == 302
    assert patient.get(url).status_code == HTTPStatus.OK
    assert "PRP (platelet-rich plasma)" in page(patient, "/treatments/")


def test_a_pending_edit_never_invalidates_or_reaches_the_cache(editor_client, patient, commits):
    treatment = prp()
    url = treatment.get_absolute_url()
    before = cached(patient, url)
    commits(edit, editor_client, treatment, summary="Pending only.")
    commits(editor_client.get, f"{url}?preview=treatments.treatment:{treatment.pk}")
    after = page(patient, url)
    assert "Pending only." not in after
    assert after == before


def test_an_approved_deletion_stays_deleted_after_the_content_is_loaded_again(
    editor_client, reviewer_client, patient, commits
):
    """`make run` and `make serve` run `load_content` on every start; it keeps rows that exist, but a row a
    reviewer approved deleting (a whole FAQ entry, or a side effect removed in an edit) no longer exists, so
    it is created again from the fixtures, published, with no review."""
    from django.core.management import call_command

    entry = FaqEntry.objects.published().first()
    commits(editor_client.post, admin_url(FaqEntry, "delete", entry.pk), {"post": "yes"})
    commits(approve, reviewer_client, pending_for(entry), note="Removed a question.")
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    removed = SideEffect.objects.get(pk=data["side_effects-0-id"]).name
    data["side_effects-0-DELETE"] = "on"
    commits(editor_client.post, url, data)
    commits(approve, reviewer_client, pending_for(treatment), note="Removed a side effect.")
    assert removed not in page(patient, treatment.get_absolute_url())

    commits(call_command, "load_content", verbosity=0)  # the next `make serve`
    assert not FaqEntry.objects.filter(slug=entry.slug).exists(), "an approved deletion came back, published"
    assert removed not in page(patient, treatment.get_absolute_url()), "a removed side effect came back"


def test_the_preview_of_a_pending_deletion_does_not_show_the_item_as_staying(editor_client, reviewer_client):
    """The review page offers 'Preview the page with this change' for a deletion too; the preview shows the
    page unchanged, saying 'A change awaiting review is shown'."""
    treatment = make_treatment()
    editor_client.post(admin_url(Treatment, "delete", treatment.pk), {"post": "yes"})
    change = pending_for(treatment)
    assert change.action == RevisionAction.DELETE
    _, review = sections(reviewer_client, change)
    response = reviewer_client.get(preview_of(treatment))
    html = response.content.decode()
    shown_as_staying = response.status_code == HTTPStatus.OK and "A change awaiting review is shown." in html
    assert not shown_as_staying, "the preview of a deletion shows the page as it is, as if it stayed"


def test_a_draft_treatment_added_as_a_comparison_column_stays_hidden_after_approval(
    editor_client, reviewer_client, patient
):
    draft = make_treatment(status=Status.DRAFT, name="Hidden draft treatment", short_name="Hidden")
    comparison = main_comparison()
    url = change_url(comparison)
    data = form_data(editor_client, url)
    total = int(data["columns-TOTAL_FORMS"])
    data.update(
        {
            "columns-TOTAL_FORMS": total + 1,
            f"columns-{total}-treatment": draft.pk,
            f"columns-{total}-position": 5,
            f"columns-{total}-may_suit_you_if": "It is a draft.",
        }
    )
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    assert approve(reviewer_client, pending_for(comparison), note="Added a column.").status_code == 302
    html = page(patient, comparison.get_absolute_url())
    assert "Hidden draft treatment" not in html and "It is a draft." not in html
    assert patient.get(comparison.get_absolute_url() + f"?treatments={draft.slug}&treatments=prp").status_code == 404


def test_a_new_draft_faq_entry_is_not_shown(editor_client, patient):
    data = {"question": "An unreviewed question?", "slug": "unreviewed-question", "answer": "No.", "topic": "basics"}
    data["sort_order"] = 0
    assert editor_client.post(admin_url(FaqEntry, "add"), data).status_code == HTTPStatus.FOUND
    assert FaqEntry.objects.get(slug="unreviewed-question").status == Status.DRAFT
    assert "An unreviewed question?" not in page(patient, "/faq/")
    assert "An unreviewed question?" not in page(patient, "/faq/?q=unreviewed")


def test_approving_the_deletion_of_a_source_that_is_still_cited_is_refused_with_a_message(
    editor_client, reviewer_client
):
    reference = Reference.objects.published().filter(profile_citations__isnull=False).first()
    response = editor_client.post(admin_url(Reference, "delete", reference.pk), {"post": "yes"})
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    waiting = Revision.objects.for_item(reference).filter(state=RevisionState.PENDING).first()
    if waiting is not None:  # admin let the request through: the reviewer's approval must be refused calmly
        assert approve(reviewer_client, waiting, note="Removed a source.").status_code == HTTPStatus.OK
    assert Reference.objects.filter(pk=reference.pk).exists()


def test_a_taken_down_concern_is_not_the_starting_concern_of_a_comparison(editor_client, reviewer_client, patient):
    comparison = main_comparison()
    concern = Indication.objects.published().filter(treatment_links__isnull=False).distinct().last()
    if comparison.indication_id != concern.pk:
        assert edit(editor_client, comparison, indication=concern.pk).status_code == HTTPStatus.FOUND
        assert approve(reviewer_client, pending_for(comparison), note="Starts on a concern.").status_code == 302
    reviewer_client.post(admin_url(Indication, "take_down", concern.pk), {"change_note": "Removed a concern."})
    assert live(concern).status == Status.DRAFT
    html = page(patient, comparison.get_absolute_url())
    assert f"Side by side: {concern.name}" not in html, "the comparison still opens on a taken-down concern"


def test_the_record_of_an_approved_change_shows_everything_it_made_live(editor_client, reviewer_client):
    """Alex changes the summary (not approved); Sam then changes only the cost notes, on top of Alex's
    change, and that is approved: both went live. The approved change's page ('What this changed') compares
    with the newest earlier snapshot, Alex's superseded one that was never live, so the summary is missing."""
    treatment = prp()
    edit(editor_client, treatment, summary="Alex's summary.")
    edit(editor_client, treatment, cost_notes="Sam's cost notes.")
    change = pending_for(treatment)
    approve(reviewer_client, change, note="Reworded the summary and cost notes.")
    assert live(treatment).summary == "Alex's summary."
    found, _ = sections(reviewer_client, Revision.objects.get(pk=change.pk))
    labels = {c.label.lower() for s in found for c in s.changes}
    assert {"summary", "cost notes"} <= labels, f"the approved change's record shows only {labels}"
