"""Changes to published content wait for a clinical reviewer before patients see them.

Why this design (issue 9): the live rows are what patients see, and they change only when a reviewer
approves. An editor's change is kept as a `Revision`: a snapshot of the item with the rows edited with it
(its `moderated_parts`), in Django's own "python" serialisation. That is Wagtail's separation of the live
page from its latest revision, with the grouping django-reversion gives (an item and its inline rows are one
version). django-simple-history stays as the row-by-row audit log; it cannot hold a change that is not live
yet, and it restores one row at a time (its issue #1161), so restore works from these snapshots instead.

Admin forms, previews and diffs need the change applied to real rows, so it is applied inside a transaction
(or savepoint) that is rolled back (a "rehearsal"). Rows that exist only in a pending change are given ids
from a reserved range far above any id a database sequence will reach (PENDING_IDS), so a rolled-back
insert never collides with a live row, the admin formsets see the same ids on every request, and rows that
tie on sort order are listed in the preview as they will be once approved (after the live ones)."""

import datetime
import json

from django.core import serializers
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from .models import (
    REVIEW_FIELDS,
    Revision,
    RevisionAction,
    RevisionState,
    StaleVersion,
    Status,
    parts_of,
)

# Never taken from a snapshot: the edit counter, and what only a reviewer decides.
KEPT_FROM_LIVE = ("version", "status", *REVIEW_FIELDS)
REPLACED = "replaced"  # in an approved snapshot: what was live before it
PENDING_IDS = 2**62  # rows that exist only in a change awaiting review have ids from here up
REVIEW_INTERVAL = datetime.timedelta(days=365)


class ModerationError(Exception):
    """A decision that cannot be carried out; the message says why, in words for staff."""


# --- Snapshots --------------------------------------------------------------------------------------


def _serialise(obj):
    entry = serializers.serialize("python", [obj])[0]
    entry["fields"].pop("version", None)
    return json.loads(json.dumps(entry, cls=DjangoJSONEncoder))


def snapshot(item):
    """The item and every row edited with it, as plain JSON-ready data."""
    return {
        "item": _serialise(item),
        "parts": {name: [_serialise(row) for row in getattr(item, name).all()] for name, _, _ in parts_of(type(item))},
    }


def for_review(data, live):
    """A snapshot made into a proposed change of `live`: publishing and review fields as they are live, and
    rows that are not live rows of this item given ids from PENDING_IDS (see the module docstring)."""
    data = json.loads(json.dumps(data))
    data.pop(REPLACED, None)
    live_fields = _serialise(live)["fields"]
    for name in KEPT_FROM_LIVE:
        if name in live_fields:
            data["item"]["fields"][name] = live_fields[name]
    data["item"]["pk"] = live.pk
    for name, _, _ in parts_of(type(live)):
        live_ids = set(getattr(live, name).values_list("pk", flat=True))
        rows = data["parts"].get(name, [])
        next_id = max([row["pk"] for row in rows if is_pending_id(row["pk"])] + [PENDING_IDS]) + 1
        for row in rows:
            if row["pk"] not in live_ids and not is_pending_id(row["pk"]):
                row["pk"] = next_id
                next_id += 1
    return data


def is_pending_id(pk):
    return pk is not None and pk > PENDING_IDS


def _build(entry):
    (deserialized,) = serializers.deserialize("python", [entry], ignorenonexistent=True)
    return deserialized.object, deserialized.m2m_data


def _set_links(obj, m2m_data):
    for name, ids in m2m_data.items():
        field = obj._meta.get_field(name)
        existing = field.related_model._default_manager.filter(pk__in=ids).values_list("pk", flat=True)
        getattr(obj, name).set(list(existing))  # a source deleted since is left out, not an error


def apply_snapshot(item, data, *, user=None, reason="", rehearsal=False):
    """Make the live rows of `item` match `data`, keeping KEPT_FROM_LIVE. With `rehearsal` (inside a
    transaction that will be rolled back), rows new in the change keep their PENDING_IDS ids. Raises
    IntegrityError if the change no longer fits the live content (a name now taken, a row it points at gone)."""
    obj, links = _build(data["item"])
    for name in KEPT_FROM_LIVE:
        if hasattr(item, name):
            setattr(obj, name, getattr(item, name))
    obj.pk = item.pk
    obj._history_user, obj._change_reason = user, reason
    obj.save()
    _set_links(obj, links)
    for name, _, foreign_key in parts_of(type(item)):
        live = {row.pk: row for row in getattr(item, name).all()}
        wanted = data["parts"].get(name, [])
        unchanged = {entry["pk"] for entry in wanted if entry["pk"] in live and _same(live[entry["pk"]], entry)}
        # Rows that go or change are deleted first and changed ones written again with their own ids, so a
        # change that swaps two rows' names (or concerns) never meets a unique constraint half way.
        for pk, row in live.items():
            if pk not in unchanged:
                row._history_user, row._change_reason = user, reason
                row.delete()
        for entry in wanted:
            if entry["pk"] in unchanged:
                continue
            row, row_links = _build(entry)
            setattr(row, f"{foreign_key}_id", item.pk)
            row._history_user, row._change_reason = user, reason
            if row.pk not in live and not rehearsal:
                row.pk = None
            row.save(force_insert=True)
            _set_links(row, row_links)
    tables = [type(item)._meta.db_table, *(part._meta.db_table for _, part, _ in parts_of(type(item)))]
    connection.check_constraints(table_names=tables)  # foreign keys are otherwise only checked at COMMIT
    return obj


def _same(row, entry):
    def comparable(fields):
        return {name: sorted(value) if isinstance(value, list) else value for name, value in fields.items()}

    return comparable(_serialise(row)["fields"]) == comparable(entry["fields"])


def refreshed(item):
    return type(item)._default_manager.get(pk=item.pk)


# --- Looking up an item's changes ------------------------------------------------------------------


def working_copy(item):
    """The change not yet decided (awaiting review or sent back), or None."""
    return Revision.objects.for_item(item).open().first()


def latest_version(item, version):
    return Revision.objects.for_item(item).filter(version=version).restorable().first()


def show_as_approved(item):
    """Inside a transaction that will be rolled back: make `item` look as it will once its change is approved
    and it is published. Returns the change that was applied, or None."""
    change = rehearse_working_copy(item)
    type(item)._default_manager.filter(pk=item.pk).update(status=Status.PUBLISHED)
    return change


def rehearse_working_copy(item):
    """Inside a transaction that will be rolled back: apply the change not yet decided, if it still fits the
    live content. Returns it (with `applies` False if it no longer fits: then the live item is shown)."""
    change = working_copy(item)
    if change is None:
        return None
    change.applies = True
    if change.snapshot is not None and change.action != RevisionAction.DELETE:
        try:
            with transaction.atomic():
                apply_snapshot(item, change.snapshot, rehearsal=True)
        except IntegrityError:
            change.applies = False
    return change


# --- Saving edits -----------------------------------------------------------------------------------


def _record(item, *, state, user, action=RevisionAction.EDIT, data=None, restored_from=None):
    return Revision.objects.create(
        content_type_id=_content_type_id(item),
        object_id=item.pk,
        object_repr=str(item)[:250],
        version=item.version,
        action=action,
        state=state,
        snapshot=data,
        created_by=user,
        restored_from=restored_from,
    )


def _content_type_id(item):
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(type(item)).pk


def record_baseline(item):
    """Content loaded from fixtures has no versions yet: keep the live state before its first edit, so that
    edit can be compared and undone."""
    if not Revision.objects.for_item(item).exists():
        _record(item, state=RevisionState.BASELINE, user=None, data=snapshot(item))


def _close_open_changes(item, state):
    Revision.objects.for_item(item).open().update(state=state)


def record_new(item, *, user):
    """A new item (always a draft) was added: keep its first version."""
    return _record(item, state=RevisionState.SAVED, user=user, data=snapshot(refreshed(item)))


def propose(item, data, *, user, expected_version, action=RevisionAction.EDIT, restored_from=None):
    """Keep `data` as the change of published `item` awaiting review. The caller holds the item's lock."""
    item.claim_next_version(expected_version)
    _close_open_changes(item, RevisionState.SUPERSEDED)
    return _record(
        item,
        state=RevisionState.PENDING,
        user=user,
        action=action,
        data=for_review(data, item) if data is not None else None,
        restored_from=restored_from,
    )


def record_draft_save(item, *, user, expected_version, restored_from=None):
    """A draft was saved directly: move its version on and keep a snapshot of it."""
    item.claim_next_version(expected_version)
    _close_open_changes(item, RevisionState.SUPERSEDED)
    action = RevisionAction.RESTORE if restored_from else RevisionAction.EDIT
    return _record(
        item, state=RevisionState.SAVED, user=user, action=action, data=snapshot(item), restored_from=restored_from
    )


def restore(revision, *, user, expected_version):
    """Bring back an earlier version with its rows and links. For published content it becomes a change
    awaiting review; a draft is changed at once. Publishing and review fields never change."""
    with transaction.atomic():
        item = revision.model.locked(revision.object_id)
        if item is None:
            raise ModerationError("This item no longer exists, so it cannot be restored here.")
        if revision.snapshot is None:
            raise ModerationError("That version has nothing to restore.")
        if item.version != expected_version:
            raise ModerationError(
                "Someone else saved this item after you opened its versions. Nothing was restored. "
                "Reload the page and try again."
            )
        record_baseline(item)
        if item.is_published:
            return propose(
                item,
                revision.snapshot,
                user=user,
                expected_version=expected_version,
                action=RevisionAction.RESTORE,
                restored_from=revision,
            )
        try:
            with transaction.atomic():
                apply_snapshot(item, for_review(revision.snapshot, item), user=user, reason="Restored")
        except IntegrityError as error:
            raise ModerationError(
                "That version cannot be restored as it is: a name it uses is now taken, or something it points "
                "at has been deleted since."
            ) from error
        return record_draft_save(refreshed(item), user=user, expected_version=expected_version, restored_from=revision)


def request_deletion(item, *, user):
    """Deleting published content is a change like any other: it waits for a reviewer."""
    with transaction.atomic():
        item = type(item).locked(item.pk)
        record_baseline(item)
        item.claim_next_version(item.version)
        _close_open_changes(item, RevisionState.SUPERSEDED)
        return _record(item, state=RevisionState.PENDING, user=user, action=RevisionAction.DELETE, data=snapshot(item))


def record_draft_deletion(item, *, user):
    """A draft is deleted at once; keep what it was, so the deletion can be seen and undone."""
    _record(item, state=RevisionState.SAVED, user=user, action=RevisionAction.DELETE, data=snapshot(item))


def withdraw(item, *, user, change_id):
    """Drop the change that is not yet decided, if it is still the one the user saw. Its snapshot is kept, so
    it can be restored later."""
    with transaction.atomic():
        item = type(item).locked(item.pk)
        change = working_copy(item)
        if change is None:
            raise ModerationError("There is no change to withdraw.")
        if change.pk != change_id:
            raise ModerationError(
                "Someone saved a newer change after you opened this page, so nothing was withdrawn. "
                "Look at the newer change first."
            )
        item.claim_next_version(item.version)
        _close_open_changes(item, RevisionState.WITHDRAWN)


# --- Reviewer decisions -----------------------------------------------------------------------------


def _mark_reviewed(item, reviewer_line, next_review_due):
    if not all(hasattr(item, name) for name in REVIEW_FIELDS):
        return
    today = timezone.localdate()
    item.last_reviewed = today
    item.next_review_due = max(next_review_due or today + REVIEW_INTERVAL, today)
    item.reviewed_by = reviewer_line


def approve(revision, *, reviewer, change_note, reviewer_line="", next_review_due=None):
    """Make the change live, mark the item reviewed and publish the note, in one transaction."""
    change_note = (change_note or "").strip()
    if not change_note:
        raise ModerationError("Write one plain sentence for patients saying what changed.")
    with transaction.atomic():
        revision = Revision.objects.select_for_update().filter(pk=revision.pk).first()
        if revision is None or revision.state != RevisionState.PENDING:
            raise ModerationError("This change is no longer awaiting review (someone may have decided it already).")
        item = revision.model.locked(revision.object_id)
        if item is None:
            raise ModerationError("The item has been deleted since this change was made.")
        if item.version != revision.version:
            raise ModerationError(
                "The item changed after this change was made (a newer edit, or content reloaded). "
                "Nothing was approved. Open the newest change instead."
            )
        reason = f"Approved: {change_note}"
        if revision.action == RevisionAction.DELETE:
            try:
                with transaction.atomic():
                    item._history_user, item._change_reason = reviewer, reason
                    item.delete()
            except ProtectedError as error:
                names = ", ".join(sorted({str(obj) for obj in error.protected_objects}))
                raise ModerationError(f"This cannot be deleted while other content uses it: {names}.") from error
        else:
            replaced = snapshot(item)
            _mark_reviewed(item, reviewer_line or describe_reviewer(reviewer), next_review_due)
            try:
                with transaction.atomic():
                    apply_snapshot(item, revision.snapshot, user=reviewer, reason=reason)
            except IntegrityError as error:
                raise ModerationError(
                    "This change no longer fits the live content (a name it uses is now taken, or something it "
                    "points at was deleted). Nothing was approved. Send it back so the editor can fix it."
                ) from error
            revision.snapshot = {**snapshot(refreshed(item)), REPLACED: replaced}
            item.claim_next_version(item.version)  # forms opened on the pending rows' ids are now stale
        revision.state = RevisionState.APPROVED
        revision.decided_by, revision.decided_at = reviewer, timezone.now()
        revision.change_note = change_note
        revision.save()
        return revision


def send_back(revision, *, reviewer, comment):
    comment = (comment or "").strip()
    if not comment:
        raise ModerationError("Say what needs to change, so the editor knows what to do.")
    with transaction.atomic():
        updated = Revision.objects.filter(pk=revision.pk, state=RevisionState.PENDING).update(
            state=RevisionState.SENT_BACK, decided_by=reviewer, decided_at=timezone.now(), review_comment=comment
        )
    if not updated:
        raise ModerationError("This change is no longer awaiting review (someone may have decided it already).")


def publish(item, *, reviewer, change_note, expected_version, reviewer_line="", next_review_due=None):
    """A reviewer publishes a draft: it is checked now, so it is marked reviewed."""
    change_note = (change_note or "").strip()
    if not change_note:
        raise ModerationError("Write one plain sentence for patients saying what is new.")
    with transaction.atomic():
        item = type(item).locked(item.pk)
        if item.is_published:
            raise ModerationError("This is already published.")
        if item.version != expected_version:
            raise ModerationError("Someone saved this draft after you opened it. Check it again before publishing.")
        record_baseline(item)
        item.status = Status.PUBLISHED
        _mark_reviewed(item, reviewer_line or describe_reviewer(reviewer), next_review_due)
        item._history_user, item._change_reason = reviewer, f"Published: {change_note}"
        item.save()
        return _decision(item, reviewer, RevisionAction.PUBLISH, change_note)


def take_down(item, *, reviewer, change_note):
    """A reviewer takes published content down at once (taking down is always safe for patients)."""
    change_note = (change_note or "").strip()
    if not change_note:
        raise ModerationError("Write one plain sentence for patients saying what was removed.")
    with transaction.atomic():
        item = type(item).locked(item.pk)
        if not item.is_published:
            raise ModerationError("This is not published.")
        item.status = Status.DRAFT
        item._history_user, item._change_reason = reviewer, f"Taken down: {change_note}"
        item.save()
        item.claim_next_version(item.version)  # forms opened on the published version are now stale
        _close_open_changes(item, RevisionState.WITHDRAWN)
        return _decision(item, reviewer, RevisionAction.TAKE_DOWN, change_note)


def _decision(item, reviewer, action, change_note):
    revision = _record(item, state=RevisionState.APPROVED, user=reviewer, action=action, data=snapshot(item))
    revision.decided_by, revision.decided_at, revision.change_note = reviewer, timezone.now(), change_note
    revision.save()
    return revision


def describe_reviewer(user):
    return (user.get_full_name() or user.get_username()) + ", clinical reviewer"


__all__ = [
    "ModerationError",
    "StaleVersion",
    "apply_snapshot",
    "approve",
    "for_review",
    "latest_version",
    "propose",
    "publish",
    "record_baseline",
    "record_draft_deletion",
    "record_draft_save",
    "record_new",
    "rehearse_working_copy",
    "request_deletion",
    "restore",
    "send_back",
    "show_as_approved",
    "snapshot",
    "take_down",
    "withdraw",
    "working_copy",
]
