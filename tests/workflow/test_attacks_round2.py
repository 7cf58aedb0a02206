"""Second round of hostile tests of "nothing reaches patients that a clinical reviewer has not approved, and
no staff edit is ever lost": pending-row ids, `load_content` after staff changes, changes that no longer fit,
and whether what goes live is what the reviewer was shown."""

from http import HTTPStatus

import pytest
from django.core.management import call_command
from django.urls import reverse

from comparisons.models import FaqEntry
from tests.admin_forms import admin_url
from tests.workflow import test_attacks as base
from treatments.models import Reference, SideEffect, Treatment
from workflow import diff, moderation
from workflow.models import Revision, RevisionState, Status

pytestmark = pytest.mark.django_db

approve = base.approve
change_url = base.change_url
edit = base.edit
form_data = base.form_data
live = base.live
main_comparison = base.main_comparison
nothing_pending = base.nothing_pending
page = base.page
pending_for = base.pending_for
preview_of = base.preview_of
prp = base.prp
review_url = base.review_url

# fixtures from the first round
calm_editor_client = base.calm_editor_client
patient = base.patient
reviewer_client = base.reviewer_client
second_editor_client = base.second_editor_client


def load_content(**options):
    call_command("load_content", verbosity=0, **options)


def add_side_effect(data, name, **fields):
    total = int(data["side_effects-TOTAL_FORMS"])
    data.update(
        {
            "side_effects-TOTAL_FORMS": total + 1,
            f"side_effects-{total}-name": name,
            f"side_effects-{total}-frequency": SideEffect.Frequency.NOT_KNOWN,
            f"side_effects-{total}-duration": "A day",
            f"side_effects-{total}-sort_order": 0,
            **{f"side_effects-{total}-{key}": value for key, value in fields.items()},
        }
    )
    return total


def row_index(data, prefix, name):
    for n in range(int(data[f"{prefix}-TOTAL_FORMS"])):
        if data.get(f"{prefix}-{n}-name") == name:
            return n
    raise AssertionError(f"no {prefix} row named {name!r}")


def take_down(client, obj, note="Removed while we check it."):
    return client.post(admin_url(type(obj), "take_down", obj.pk), {"change_note": note})


def publish(client, obj):
    data = {"change_note": "Back again.", "reviewed_by": "Dr A Patel", "version": live(obj).version}
    if hasattr(obj, "next_review_due"):
        data["next_review_due"] = base.next_year()
    return client.post(admin_url(type(obj), "publish", obj.pk), data)


def review_sections(client, revision):
    response = client.get(review_url(revision))
    assert response.status_code == HTTPStatus.OK
    return response.context["sections"]


# === 1. load_content (run by `make run` / `make serve` on every start) after staff changes ==================


def test_a_taken_down_then_deleted_faq_entry_is_not_brought_back_published_by_load_content(
    editor_client, reviewer_client, patient
):
    """A reviewer takes an FAQ answer down; it is now a draft, so an editor deletes it at once. No reviewer
    'approved a deletion', so the next start's load_content recreates it from the fixtures, published."""
    entry = FaqEntry.objects.published().first()
    assert take_down(reviewer_client, entry).status_code == HTTPStatus.FOUND
    assert editor_client.post(admin_url(FaqEntry, "delete", entry.pk), {"post": "yes"}).status_code == 302
    assert not FaqEntry.objects.filter(slug=entry.slug).exists()
    load_content()
    back = FaqEntry.objects.filter(slug=entry.slug).first()
    assert back is None or back.status == Status.DRAFT, "a taken-down, deleted answer is published again, unreviewed"
    assert f'id="{entry.slug}"' not in page(patient, reverse("comparisons:faq"))


def test_an_approved_source_key_rename_does_not_make_load_content_add_a_published_duplicate(
    editor_client, reviewer_client
):
    """Fixtures find rows by natural key. After an approved rename of a source's key the fixture's old key is
    found nowhere, and nothing says staff removed it, so load_content inserts the source again, published."""
    reference = Reference.objects.published().order_by("key").first()
    old_key, count = reference.key, Reference.objects.count()
    assert edit(editor_client, reference, key=f"{old_key}-renamed").status_code == HTTPStatus.FOUND
    assert approve(reviewer_client, pending_for(reference), note="Renamed a source.").status_code == 302
    load_content()
    assert Reference.objects.count() == count, "load_content added a second copy of a renamed source"
    assert not Reference.objects.published().filter(key=old_key).exists()


def test_an_approved_treatment_slug_rename_does_not_stop_the_site_from_starting(editor_client, reviewer_client):
    """Same cause, other symptom: the recreated treatment clashes with the renamed one's unique name, the load
    fails as a whole, and `make run` / `make serve` no longer start."""
    treatment = prp()
    assert edit(editor_client, treatment, slug="prp-injections").status_code == HTTPStatus.FOUND
    assert approve(reviewer_client, pending_for(treatment), note="New address.").status_code == 302
    load_content()  # raises CommandError "Nothing was loaded ... name: Treatment with this Name already exists."
    assert Treatment.objects.filter(name=treatment.name).count() == 1


def test_a_deleted_source_whose_citation_was_removed_first_stays_deleted_after_load_content(
    editor_client, reviewer_client
):
    treatment = prp()
    # A source that backs a shown number (a side effect's count, a best estimate) is protected from deletion.
    candidates = Reference.objects.published().filter(
        profile_citations__treatment=treatment, side_effect_rates=None, benefit_estimates=None
    )
    reference = next(
        ref for ref in candidates if set(ref.profile_citations.values_list("treatment", flat=True)) == {treatment.pk}
    )
    url = change_url(treatment)
    data = form_data(editor_client, url)
    for n in range(int(data["citations-TOTAL_FORMS"])):
        if str(data[f"citations-{n}-reference"]) == str(reference.pk):
            data[f"citations-{n}-DELETE"] = "on"
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    assert approve(reviewer_client, pending_for(treatment), note="Removed a citation.").status_code == 302
    assert editor_client.post(admin_url(Reference, "delete", reference.pk), {"post": "yes"}).status_code == 302
    assert approve(reviewer_client, pending_for(reference), note="Removed a source.").status_code == 302
    assert not Reference.objects.filter(key=reference.key).exists()
    load_content()
    assert not Reference.objects.filter(key=reference.key).exists()
    assert not live(treatment).citations.filter(reference__key=reference.key).exists()


# === 2. Changes that no longer fit, and changes that should fit ===============================================


def test_resaving_a_sent_back_change_that_no_longer_fits_does_not_replace_it_with_the_live_version(
    editor_client, reviewer_client
):
    """The editor's change is sent back. Meanwhile its new key is taken by another source, so the form shows
    the live version. The page says 'Save to send it for review again'; the editor does, and what goes for
    review is the live version (an empty change): their sent-back change is silently superseded."""
    reference = Reference.objects.published().first()
    assert edit(editor_client, reference, key="clashing-key-2").status_code == HTTPStatus.FOUND
    change = pending_for(reference)
    reviewer_client.post(review_url(change), {"_send_back": "1", "comment": "Check the year."})
    added = {"key": "clashing-key-2", "year": 2024, "title": "Another", "publisher": "x"}
    added.update({"study_type": "review", "finding": "x"})
    assert editor_client.post(admin_url(Reference, "add"), added).status_code == HTTPStatus.FOUND
    assert edit(editor_client, reference).status_code in (HTTPStatus.OK, HTTPStatus.FOUND)
    waiting = Revision.objects.for_item(reference).filter(state=RevisionState.PENDING).first()
    if waiting is not None:
        shown = diff.describe_changes(Reference, moderation.snapshot(live(reference)), waiting.snapshot)
        assert shown, "an empty change went for review and the sent-back change was superseded"
    assert Revision.objects.get(pk=change.pk).state in (RevisionState.SENT_BACK, RevisionState.PENDING)


def test_the_preview_of_a_change_that_no_longer_fits_shows_the_live_page_with_a_warning(editor_client):
    treatment = prp()
    other = Treatment.objects.published().exclude(pk=treatment.pk).first()
    assert edit(editor_client, treatment, summary="Pending summary.", slug="brand-new-slug").status_code == 302
    Treatment.objects.filter(pk=other.pk).update(slug="brand-new-slug")  # e.g. another approved rename
    response = editor_client.get(preview_of(live(treatment)))
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    assert "no longer fits the live content" in html and "Pending summary." not in html


def test_swapping_the_names_of_two_side_effects_can_be_approved(editor_client, reviewer_client, patient):
    """Three ordinary saves swap two side effects' names (via a spare name). Each save is accepted, but
    approval applies rows one at a time against the live rows, so the first row's new name still clashes
    with the second row's old one: the form shows the live version and the change can never be approved."""
    treatment = prp()
    url = change_url(treatment)
    first, second = list(live(treatment).side_effects.order_by("pk").values_list("name", flat=True)[:2])
    for old, new in [(first, "Spare name"), (second, first), ("Spare name", second)]:
        data = form_data(editor_client, url)
        data[f"side_effects-{row_index(data, 'side_effects', old)}-name"] = new
        assert editor_client.post(url, data).status_code == HTTPStatus.FOUND, f"renaming {old!r} refused"
    refused = approve(reviewer_client, pending_for(treatment), note="Swapped two names.")
    assert refused.status_code == HTTPStatus.FOUND, "approval refused: 'This change no longer fits the live content'"
    assert "no longer fits the live content" not in page(editor_client, url)
    ids = list(live(treatment).side_effects.order_by("pk").values_list("name", flat=True)[:2])
    assert ids == [second, first]


# === 3. Pending-row ids ===================================================================================

PENDING = moderation.PENDING_IDS


@pytest.mark.parametrize("forged", [PENDING + 1, PENDING + 2, PENDING + 99, 2**63 - 1, 2**63, 2**64])
def test_a_forged_inline_id_in_the_pending_range_is_refused(calm_editor_client, forged):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(calm_editor_client, url)
    add_side_effect(data, "Pending new row")
    assert calm_editor_client.post(url, data).status_code == HTTPStatus.FOUND
    data = form_data(calm_editor_client, url)
    n = row_index(data, "side_effects", "Pending new row")
    pending_id = int(data[f"side_effects-{n}-id"])
    assert pending_id > PENDING
    extra = add_side_effect(data, "Forged row", id=forged)
    data["side_effects-INITIAL_FORMS"] = int(data["side_effects-INITIAL_FORMS"]) + 1
    data[f"side_effects-{extra}-treatment"] = treatment.pk
    if forged == pending_id:
        data[f"side_effects-{extra}-name"] = "Pending new row"
    before = pending_for(treatment).pk
    response = calm_editor_client.post(url, data)
    assert response.status_code in (HTTPStatus.OK, HTTPStatus.FOUND), response.status_code
    rows = pending_for(treatment).snapshot["parts"]["side_effects"]
    assert "Forged row" not in [row["fields"]["name"] for row in rows]
    assert [row["fields"]["name"] for row in rows].count("Pending new row") == 1
    if response.status_code == HTTPStatus.OK:
        assert pending_for(treatment).pk == before


@pytest.mark.parametrize("field", ["side_effects-0-references", "citations-0-reference"])
def test_an_out_of_range_id_in_an_autocomplete_field_is_a_form_error(calm_editor_client, field):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(calm_editor_client, url)
    data[field] = ["9" * 30] if field.endswith("references") else "9" * 30
    response = calm_editor_client.post(url, data)
    assert response.status_code == HTTPStatus.OK, response.status_code
    assert nothing_pending(treatment)


def test_two_editors_each_add_a_row_and_both_go_live_with_ordinary_ids(
    editor_client, second_editor_client, reviewer_client, patient
):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    add_side_effect(data, "Alex's new row")
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    data = form_data(second_editor_client, url)
    add_side_effect(data, "Sam's new row")
    assert second_editor_client.post(url, data).status_code == HTTPStatus.FOUND
    change = pending_for(treatment)
    added = [s.title for s in review_sections(reviewer_client, change) if s.kind == "added"]
    assert len(added) == 2, added
    assert approve(reviewer_client, change, note="Added two side effects.").status_code == HTTPStatus.FOUND
    rows = live(treatment).side_effects.filter(name__in=["Alex's new row", "Sam's new row"])
    assert rows.count() == 2 and all(pk < PENDING for pk in rows.values_list("pk", flat=True))
    html = page(patient, treatment.get_absolute_url())
    assert "Alex&#x27;s new row" in html and "Sam&#x27;s new row" in html


def test_a_form_opened_before_approval_that_edits_a_new_row_is_not_refused_obscurely(
    editor_client, second_editor_client, reviewer_client
):
    """Sam opens the form while Alex's new row is pending (the row carries its pending id). A reviewer
    approves: the row goes live with a fresh id, but the item's version does not move, so Sam's save passes
    the version check and then fails on the row's id ('Select a valid choice'), not with the stale-form
    message that says who saved what."""
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    add_side_effect(data, "Alex's new row")
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    sams = form_data(second_editor_client, url)
    n = row_index(sams, "side_effects", "Alex's new row")
    assert approve(reviewer_client, pending_for(treatment), note="Added a side effect.").status_code == 302
    sams[f"side_effects-{n}-notes"] = "Sam's note on the new row."
    response = second_editor_client.post(url, sams)
    if response.status_code == HTTPStatus.FOUND:
        rows = pending_for(treatment).snapshot["parts"]["side_effects"]
        assert "Sam's note on the new row." in [row["fields"]["notes"] for row in rows]
    else:
        html = response.content.decode()
        assert "Sam&#x27;s note on the new row." in html
        assert "Someone else" in html, "refused with an invalid-row error instead of the stale-form message"


# === 4. Restoring, taking down and publishing again ==========================================================


def test_a_change_withdrawn_by_a_take_down_can_be_restored_after_publishing_again(
    editor_client, reviewer_client, patient
):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    gone = data["side_effects-0-name"]
    data["side_effects-0-DELETE"] = "on"
    add_side_effect(data, "First new row")
    add_side_effect(data, "Second new row")
    data["summary"] = "Summary from the withdrawn change."
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    withdrawn = pending_for(treatment)
    assert take_down(reviewer_client, treatment).status_code == HTTPStatus.FOUND
    assert Revision.objects.get(pk=withdrawn.pk).state == RevisionState.WITHDRAWN
    assert publish(reviewer_client, treatment).status_code == HTTPStatus.FOUND
    assert live(treatment).is_published and live(treatment).summary != "Summary from the withdrawn change."
    versions = admin_url(Treatment, "versions", treatment.pk)
    response = editor_client.post(versions, {"revision": withdrawn.pk, "version": live(treatment).version})
    assert response.status_code == HTTPStatus.FOUND
    restored = pending_for(treatment)
    kinds = sorted(s.kind for s in review_sections(reviewer_client, restored) if s.kind != "changed")
    assert kinds == ["added", "added", "removed"], kinds
    assert approve(reviewer_client, restored, note="Brought back a change.").status_code == HTTPStatus.FOUND
    now = live(treatment)
    names = set(now.side_effects.values_list("name", flat=True))
    assert {"First new row", "Second new row"} <= names and gone not in names
    assert now.summary == "Summary from the withdrawn change."
    record = review_sections(reviewer_client, Revision.objects.get(pk=restored.pk))
    assert sorted(s.kind for s in record if s.kind != "changed") == ["added", "added", "removed"]


def test_restoring_a_version_whose_rows_were_deleted_since_brings_them_back(editor_client, reviewer_client):
    treatment = prp()
    url = change_url(treatment)
    data = form_data(editor_client, url)
    gone = data["side_effects-0-name"]
    data["side_effects-0-DELETE"] = "on"
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    assert approve(reviewer_client, pending_for(treatment), note="Removed a side effect.").status_code == 302
    baseline = Revision.objects.for_item(treatment).get(state=RevisionState.BASELINE)
    versions = admin_url(Treatment, "versions", treatment.pk)
    assert (
        editor_client.post(versions, {"revision": baseline.pk, "version": live(treatment).version}).status_code == 302
    )
    restored = pending_for(treatment)
    assert [s.kind for s in review_sections(reviewer_client, restored)] == ["added"]
    assert approve(reviewer_client, restored, note="Brought a side effect back.").status_code == HTTPStatus.FOUND
    assert live(treatment).side_effects.filter(name=gone).exists()
    assert "no longer fits" not in page(editor_client, url)


# === 5. What the reviewer is shown against what goes live =====================================================


def test_the_review_shows_a_changed_treatment_on_an_faq_entry_and_approval_makes_exactly_that_live(
    editor_client, reviewer_client, patient
):
    entry = FaqEntry.objects.published().filter(treatment__isnull=False).first() or FaqEntry.objects.published().first()
    other = Treatment.objects.published().exclude(pk=entry.treatment_id).first()
    assert edit(editor_client, entry, treatment=other.pk).status_code == HTTPStatus.FOUND
    change = pending_for(entry)
    shown = [c for s in review_sections(reviewer_client, change) for c in s.changes]
    assert [(c.label, c.after) for c in shown] == [("Treatment", str(other))]
    assert approve(reviewer_client, change, note="Linked the answer to a treatment.").status_code == 302
    assert live(entry).treatment_id == other.pk


def test_the_review_of_a_comparison_source_list_and_concern_matches_what_goes_live(editor_client, reviewer_client):
    from treatments.models import Indication

    comparison = main_comparison()
    url = change_url(comparison)
    data = form_data(editor_client, url)
    current = [int(v) for v in data.get("references", [])]
    dropped = current[0] if current else None
    added = Reference.objects.published().exclude(pk__in=current).first()
    data["references"] = [*current[1:], added.pk]
    concern = Indication.objects.published().exclude(pk=comparison.indication_id).first()
    data["indication"] = concern.pk
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    change = pending_for(comparison)
    shown = {c.label: c for s in review_sections(reviewer_client, change) for c in s.changes}
    assert str(added) in shown["References"].after and concern.name in shown["Indication"].after
    assert approve(reviewer_client, change, note="New sources and concern.").status_code == HTTPStatus.FOUND
    now = live(comparison)
    assert set(now.references.values_list("pk", flat=True)) == {*current[1:], added.pk}
    assert now.indication_id == concern.pk
    assert dropped is None or dropped not in now.references.values_list("pk", flat=True)


def test_overwrite_does_not_republish_a_taken_down_item_without_review(reviewer_client, patient):
    """`load_content --overwrite` 'replaces database rows with the fixture versions', including status: a
    treatment a reviewer took down is published again, no reviewer involved."""
    treatment = prp()
    assert take_down(reviewer_client, treatment).status_code == HTTPStatus.FOUND
    load_content(overwrite=True)
    assert live(treatment).status == Status.DRAFT, "--overwrite put a taken-down treatment back in front of patients"
