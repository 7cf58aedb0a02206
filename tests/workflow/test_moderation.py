"""Nothing reaches patients unreviewed: edits, inline rows, deletions and restores of published content wait
for a clinical reviewer; approving makes them live, with the review line and a note for patients."""

from http import HTTPStatus

import pytest
from django.urls import reverse
from django.utils import timezone

from comparisons.models import FaqEntry
from tests.admin_forms import admin_url, change_form_data
from treatments.models import Reference, SideEffect, Treatment
from workflow.models import Revision, RevisionAction, RevisionState, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def reviewer_client(client, reviewer):
    from django.test import Client

    other = Client()
    other.force_login(reviewer)
    return other


def page(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, url
    return response.content.decode()


def edit(client, obj, **changes):
    url = admin_url(type(obj), "change", obj.pk)
    data = change_form_data(client, url)
    data.update(changes)
    return client.post(url, data)


def pending_for(obj):
    return Revision.objects.for_item(obj).get(state=RevisionState.PENDING)


def approve(client, revision, note="Reworded the summary.", **extra):
    data = {"_approve": "1", "change_note": note, "reviewed_by": "Dr A Patel, dermatologist"}
    data["next_review_due"] = (timezone.localdate().replace(year=timezone.localdate().year + 1)).isoformat()
    data.update(extra)
    return client.post(reverse("admin:workflow_revision_change", args=[revision.pk]), data)


def test_an_editors_edit_to_a_published_treatment_waits_for_review(editor_client, reviewer_client, client):
    prp = Treatment.objects.get(slug="prp")
    old_summary, old_reviewer = prp.summary, prp.reviewed_by
    response = edit(editor_client, prp, summary="A summary an editor wrote.")
    assert response.status_code == HTTPStatus.FOUND
    assert "A summary an editor wrote." not in page(client, prp.get_absolute_url())
    assert Treatment.objects.get(pk=prp.pk).summary == old_summary
    # the editor's form shows their change, so a second edit builds on it
    form = editor_client.get(admin_url(Treatment, "change", prp.pk)).context["adminform"].form
    assert form.initial["summary"] == "A summary an editor wrote."

    revision = pending_for(prp)
    review_page = page(reviewer_client, reverse("admin:workflow_revision_change", args=[revision.pk]))
    assert "A summary an editor wrote." in review_page and old_summary[:30] in review_page
    assert approve(reviewer_client, revision).status_code == HTTPStatus.FOUND

    live = Treatment.objects.get(pk=prp.pk)
    assert live.summary == "A summary an editor wrote."
    assert live.reviewed_by == "Dr A Patel, dermatologist" != old_reviewer
    assert live.last_reviewed == timezone.localdate()
    assert "A summary an editor wrote." in page(client, prp.get_absolute_url())


def test_an_added_and_a_removed_inline_row_wait_for_review_then_go_live_together(
    editor_client, reviewer_client, client
):
    prp = Treatment.objects.get(slug="prp")
    url = admin_url(Treatment, "change", prp.pk)
    data = change_form_data(editor_client, url)
    prefix = "side_effects"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    removed = SideEffect.objects.get(pk=data[f"{prefix}-0-id"])
    data[f"{prefix}-0-DELETE"] = "on"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": total + 1,
            f"{prefix}-{total}-name": "Redness lasting more than a day",
            f"{prefix}-{total}-frequency": SideEffect.Frequency.NOT_KNOWN,
            f"{prefix}-{total}-duration": "One to two days",
            f"{prefix}-{total}-sort_order": 0,
        }
    )
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    html = page(client, prp.get_absolute_url())
    assert "Redness lasting more than a day" not in html
    assert SideEffect.objects.filter(pk=removed.pk).exists()

    # the pending change survives a second edit: the new row is in the form, with its own (negative) id
    form_data = change_form_data(editor_client, url)
    names = [value for key, value in form_data.items() if key.startswith(f"{prefix}-") and key.endswith("-name")]
    assert "Redness lasting more than a day" in names and removed.name not in names
    assert editor_client.post(url, {**form_data, "numbing": "Numbing cream is used."}).status_code == HTTPStatus.FOUND

    revision = pending_for(prp)
    review = page(reviewer_client, reverse("admin:workflow_revision_change", args=[revision.pk]))
    assert "added: Redness lasting more than a day" in review
    assert f"removed: {removed.name}" in review
    assert approve(reviewer_client, revision, note="Added how often redness lasts more than a day.").status_code == 302
    html = page(client, prp.get_absolute_url())
    assert "Redness lasting more than a day" in html and "Numbing cream is used." in html
    assert not SideEffect.objects.filter(pk=removed.pk).exists()
    assert SideEffect.objects.get(treatment=prp, name="Redness lasting more than a day").pk > 0


def test_deleting_published_content_waits_for_review(editor_client, reviewer_client, client):
    entry = FaqEntry.objects.published().first()
    response = editor_client.post(admin_url(FaqEntry, "delete", entry.pk), {"post": "yes"})
    assert response.status_code == HTTPStatus.FOUND
    assert FaqEntry.objects.filter(pk=entry.pk).exists()
    assert f'id="{entry.slug}"' in page(client, reverse("comparisons:faq"))
    revision = pending_for(entry)
    assert revision.action == RevisionAction.DELETE
    assert approve(reviewer_client, revision, note="Removed a question.").status_code == HTTPStatus.FOUND
    assert not FaqEntry.objects.filter(pk=entry.pk).exists()
    assert f'id="{entry.slug}"' not in page(client, reverse("comparisons:faq"))


def test_bulk_delete_of_published_items_only_asks_for_review(editor_client):
    entries = list(FaqEntry.objects.published()[:2])
    response = editor_client.post(
        admin_url(FaqEntry, "changelist"),
        {"action": "delete_selected", "_selected_action": [e.pk for e in entries], "post": "yes"},
    )
    assert response.status_code == HTTPStatus.FOUND
    assert FaqEntry.objects.filter(pk__in=[e.pk for e in entries]).count() == 2
    assert Revision.objects.filter(action=RevisionAction.DELETE, state=RevisionState.PENDING).count() == 2


def test_a_draft_is_edited_at_once_and_published_by_a_reviewer(editor_client, reviewer_client, client):
    Treatment.objects.filter(slug="prp").update(status=Status.DRAFT)
    prp = Treatment.objects.get(slug="prp")
    assert edit(editor_client, prp, summary="Draft text.").status_code == HTTPStatus.FOUND
    assert Treatment.objects.get(pk=prp.pk).summary == "Draft text."
    assert client.get(prp.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND

    publish = admin_url(Treatment, "publish", prp.pk)
    assert editor_client.get(publish).status_code == HTTPStatus.FORBIDDEN
    version = Treatment.objects.get(pk=prp.pk).version
    data = {"change_note": "Added the PRP page.", "reviewed_by": "Dr A Patel, dermatologist", "version": version}
    data["next_review_due"] = "2099-01-01"
    assert reviewer_client.post(publish, data).status_code == HTTPStatus.FOUND
    assert "Draft text." in page(client, prp.get_absolute_url())


def test_take_down_is_a_reviewer_action_and_is_immediate(editor_client, reviewer_client, client):
    prp = Treatment.objects.get(slug="prp")
    take_down = admin_url(Treatment, "take_down", prp.pk)
    assert editor_client.post(take_down, {"change_note": "Gone."}).status_code == HTTPStatus.FORBIDDEN
    assert (
        reviewer_client.post(take_down, {"change_note": "Removed the PRP page while we check it."}).status_code == 302
    )
    assert client.get(prp.get_absolute_url()).status_code == HTTPStatus.NOT_FOUND


def test_a_send_back_keeps_the_editors_work_and_shows_the_comment(editor_client, reviewer_client):
    prp = Treatment.objects.get(slug="prp")
    edit(editor_client, prp, summary="Needs work.")
    revision = pending_for(prp)
    url = reverse("admin:workflow_revision_change", args=[revision.pk])
    assert reviewer_client.post(url, {"_send_back": "1", "comment": "Cite a source."}).status_code == 302
    html = page(editor_client, admin_url(Treatment, "change", prp.pk))
    assert "Cite a source." in html
    assert (
        editor_client.get(admin_url(Treatment, "change", prp.pk)).context["adminform"].form.initial["summary"]
        == "Needs work."
    )
    assert Treatment.objects.get(pk=prp.pk).summary != "Needs work."


def test_editors_cannot_approve(editor_client):
    prp = Treatment.objects.get(slug="prp")
    edit(editor_client, prp, summary="Self-approved?")
    response = approve(editor_client, pending_for(prp))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Treatment.objects.get(pk=prp.pk).summary != "Self-approved?"


def test_an_approved_change_needs_a_note_for_patients(editor_client, reviewer_client):
    prp = Treatment.objects.get(slug="prp")
    edit(editor_client, prp, summary="Changed.")
    response = approve(reviewer_client, pending_for(prp), note="")
    assert response.status_code == HTTPStatus.OK
    assert Treatment.objects.get(pk=prp.pk).summary != "Changed."


def test_restoring_an_old_version_brings_back_its_rows_and_is_reviewed(editor_client, reviewer_client, client):
    prp = Treatment.objects.get(slug="prp")
    original_effects = sorted(prp.side_effects.values_list("name", flat=True))
    url = admin_url(Treatment, "change", prp.pk)
    data = change_form_data(editor_client, url)
    data["side_effects-0-DELETE"] = "on"
    data["summary"] = "Shorter."
    edit_response = editor_client.post(url, data)
    assert edit_response.status_code == HTTPStatus.FOUND
    approve(reviewer_client, pending_for(prp), note="Removed a side effect.")
    assert sorted(Treatment.objects.get(pk=prp.pk).side_effects.values_list("name", flat=True)) != original_effects

    # a reviewer takes the change's review record; the editor restores the version before it
    baseline = Revision.objects.for_item(prp).get(state=RevisionState.BASELINE)
    live = Treatment.objects.get(pk=prp.pk)
    versions = admin_url(Treatment, "versions", prp.pk)
    assert "Restore this version" in page(editor_client, versions)
    response = editor_client.post(versions, {"revision": baseline.pk, "version": live.version})
    assert response.status_code == HTTPStatus.FOUND
    unchanged = Treatment.objects.get(pk=prp.pk)
    assert unchanged.summary == "Shorter." and unchanged.status == Status.PUBLISHED
    assert unchanged.reviewed_by == live.reviewed_by and unchanged.version > live.version
    assert "Shorter." in page(client, prp.get_absolute_url())

    approve(reviewer_client, pending_for(prp), note="Put back the side effect we removed.")
    restored = Treatment.objects.get(pk=prp.pk)
    assert sorted(restored.side_effects.values_list("name", flat=True)) == original_effects
    assert restored.summary != "Shorter."
    assert restored.status == Status.PUBLISHED


def test_the_old_history_revert_cannot_republish_or_roll_back_review(editor_client, reviewer_client):
    prp = Treatment.objects.get(slug="prp")
    reviewer_client.post(admin_url(Treatment, "take_down", prp.pk), {"change_note": "Taken down to check it."})
    record = prp.history.first()
    assert record is not None
    url = reverse("admin:treatments_treatment_simple_history", args=[prp.pk, record.history_id])
    response = editor_client.post(url, change_form_data(editor_client, admin_url(Treatment, "change", prp.pk)))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert Treatment.objects.get(pk=prp.pk).status == Status.DRAFT


def test_a_reference_edit_waits_for_review(editor_client, client):
    reference = Reference.objects.published().first()
    assert edit(editor_client, reference, finding="A finding nobody checked.").status_code == HTTPStatus.FOUND
    assert "A finding nobody checked." not in page(client, reverse("pages:references"))
    assert pending_for(reference).action == RevisionAction.EDIT


def test_preview_shows_the_pending_change_at_the_pages_own_address(editor_client, client):
    prp = Treatment.objects.get(slug="prp")
    edit(editor_client, prp, summary="Preview me.")
    html = page(editor_client, f"{prp.get_absolute_url()}?preview=treatments.treatment:{prp.pk}")
    assert "Preview me." in html and "A change awaiting review is shown." in html
    assert "Preview me." not in page(client, prp.get_absolute_url())
    assert "Preview me." not in page(editor_client, prp.get_absolute_url())


def test_a_post_without_a_version_is_refused(editor_client):
    prp = Treatment.objects.get(slug="prp")
    url = admin_url(Treatment, "change", prp.pk)
    data = change_form_data(editor_client, url)
    del data["version"]
    data["summary"] = "No version."
    response = editor_client.post(url, data)
    assert response.status_code == HTTPStatus.OK
    assert "without its version number" in response.content.decode()
    assert not Revision.objects.for_item(prp).filter(state=RevisionState.PENDING).exists()
