"""The staff content workflow's building blocks: publishing state, the review schedule and edit versions.

A content model joins the workflow by subclassing `Publishable` (or `Reviewed`, which adds the review
dates patients see) and naming the rows edited with it in `moderated_parts`; its admin subclasses
`workflow.admin.ContentAdmin`. The workflow finds content through these base classes and never imports
a content app.

The publish permission lives on a table-less model here, not on the content models, so that 'Content
editors' can hold every permission of the content models while publishing stays with 'Clinical reviewers'."""

import time

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone


class ContentWorkflow(models.Model):
    """No table: only a home for the workflow permissions."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("publish_content", "Can publish content, take it down and mark it reviewed"),
        ]

    def __str__(self):
        return "Content workflow"


PUBLISH_PERMISSION = "workflow.publish_content"


def choice_constraint(model_name, field, choices):
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": choices.values}),
        name=f"{model_name}_{field}_known",
    )


class StaleVersion(Exception):
    """Someone else saved the item after this edit started."""


class Versioned(models.Model):
    """An edit counter for "no lost edits": admin forms carry the version they were opened at and are
    refused if the item (or any row edited with it) has been saved since. The counter moves only through
    `claim_next_version`, a conditional UPDATE, so of several saves from the same version exactly one wins."""

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Counts saves, so two people editing the same item cannot overwrite each other's work.",
    )

    class Meta:
        abstract = True

    def claim_next_version(self, expected):
        """Move the stored version from `expected` to the next one, or raise StaleVersion."""
        updated = type(self)._default_manager.filter(pk=self.pk, version=expected).update(version=expected + 1)
        if updated != 1:
            raise StaleVersion(f"{self._meta.verbose_name} {self.pk} is no longer at version {expected}")
        self.version = expected + 1
        return self.version


class Status(models.TextChoices):
    DRAFT = "draft", "Draft (staff only)"
    PUBLISHED = "published", "Published (patients see it)"


class PublishedQuerySet(models.QuerySet):
    def published(self):
        return self.filter(status=Status.PUBLISHED)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)


class Publishable(Versioned):
    """Content patients see only once it is published."""

    # Related names of the rows edited on the same admin page (inlines): they are part of this item.
    moderated_parts = ()
    # The fields patients read, scored for plain English (see workflow/readability.py).
    patient_text_fields = ()

    status = models.CharField(
        max_length=10,
        choices=Status,
        default=Status.DRAFT,
        help_text="Only published content is shown to patients. Keep it as a draft while you work on it.",
    )

    objects = PublishedQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_published(self):
        return self.status == Status.PUBLISHED

    @classmethod
    def locked(cls, pk):
        """The item, locked for this transaction (PostgreSQL; SQLite serialises writers anyway)."""
        return cls._default_manager.select_for_update().filter(pk=pk).first()


REVIEW_FIELDS = ("last_reviewed", "next_review_due", "reviewed_by")


class Reviewed(Publishable):
    """Publishable content with the review schedule patients see at the foot of its page."""

    last_reviewed = models.DateField(
        help_text="The date a qualified reviewer last checked this content against the evidence."
    )
    next_review_due = models.DateField(
        help_text="When this content must be checked again (usually 12 months after the last review)."
    )
    # Empty until a clinician has signed the content off: the page then says "Not yet checked by a clinician"
    # (templates/includes/review_dates.html). A reviewer's approval always fills it in (ReviewerSignOff).
    reviewed_by = models.CharField(
        max_length=200,
        blank=True,
        help_text="Name and role of the person who last checked it, for example 'Dr A Patel, dermatologist'. "
        "Empty until a clinician has checked it: the page then says 'Not yet checked by a clinician'.",
    )

    class Meta:
        abstract = True


def review_constraints(model_name):
    return [
        models.CheckConstraint(
            condition=Q(next_review_due__gte=F("last_reviewed")),
            name=f"{model_name}_review_due_after_last_review",
            violation_error_message="The next review must not be due before the last review.",
        ),
        choice_constraint(model_name, "status", Status),
    ]


def content_models():
    """Every model under the workflow: the publishable items, then the rows edited with them."""
    items = [model for model in apps.get_models() if issubclass(model, Publishable)]
    parts = [part for model in items for _, part, _ in parts_of(model)]
    return [*items, *parts]


def reviewed_models():
    return [model for model in apps.get_models() if issubclass(model, Reviewed)]


def parts_of(model):
    """(related name, part model, name of the part's foreign key to the item) for each moderated part."""
    for name in model.moderated_parts:
        relation = model._meta.get_field(name)
        yield name, relation.related_model, relation.field.name


def item_of(model):
    """For a part model: (item model, the part's foreign key name to it); None for other models."""
    for item in apps.get_models():
        if issubclass(item, Publishable):
            for _, part, foreign_key in parts_of(item):
                if part is model:
                    return item, foreign_key
    return None


class RevisionState(models.TextChoices):
    BASELINE = "baseline", "As it was before its first edit in admin"
    SAVED = "saved", "Saved to the draft"
    PENDING = "pending", "Awaiting review"
    SENT_BACK = "sent_back", "Sent back to the editor"
    APPROVED = "approved", "Approved and live"
    SUPERSEDED = "superseded", "Replaced by a later edit before review"
    WITHDRAWN = "withdrawn", "Withdrawn before review"


class RevisionAction(models.TextChoices):
    EDIT = "edit", "Edit"
    RESTORE = "restore", "Restore of an earlier version"
    DELETE = "delete", "Deletion"
    PUBLISH = "publish", "First publication"
    TAKE_DOWN = "take_down", "Taken down"


class RevisionQuerySet(models.QuerySet):
    def for_item(self, item):
        return self.filter(content_type=ContentType.objects.get_for_model(type(item)), object_id=item.pk)

    def open(self):
        """Changes not yet decided: awaiting review, or sent back to the editor."""
        return self.filter(state__in=[RevisionState.PENDING, RevisionState.SENT_BACK])

    def awaiting_review(self):
        return self.filter(state=RevisionState.PENDING)

    def public_notes(self):
        """Approved changes with a note for patients, newest first."""
        return (
            self.filter(state=RevisionState.APPROVED)
            .exclude(change_note="")
            .select_related("content_type")
            .order_by("-decided_at", "-pk")
        )

    def restorable(self):
        return self.exclude(snapshot=None)


class Revision(models.Model):
    """One accepted save of a content item with the rows edited with it, as a snapshot.

    Saves to a draft are applied at once (state "saved"). Saves to published content are not: they wait as
    "pending" until a clinical reviewer approves them, and patients see the live rows meanwhile. Every
    snapshot is kept, so any earlier version can be restored (as a new change that is reviewed again)."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, help_text="The kind of content this is a version of."
    )
    object_id = models.PositiveBigIntegerField(help_text="Which item of that kind.")
    object_repr = models.CharField(max_length=250, help_text="The item's name when this version was made.")
    version = models.PositiveIntegerField(help_text="The item's edit counter when this version was made.")
    action = models.CharField(
        max_length=12, choices=RevisionAction, default=RevisionAction.EDIT, help_text="What kind of change."
    )
    state = models.CharField(max_length=12, choices=RevisionState, help_text="Where the change is in the review.")
    snapshot = models.JSONField(
        null=True,
        blank=True,
        encoder=DjangoJSONEncoder,
        help_text="The item and its rows as they were in this version (empty for a deletion request).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who made the change.",
    )
    created_at = models.DateTimeField(default=timezone.now, help_text="When the change was saved.")
    restored_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, help_text="The earlier version this restores."
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The clinical reviewer who approved or sent back the change.",
    )
    decided_at = models.DateTimeField(null=True, blank=True, help_text="When it was approved or sent back.")
    review_comment = models.TextField(blank=True, help_text="The reviewer's comment to the editor (staff only).")
    change_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="One plain sentence for patients saying what changed, shown on the page and on /changes/.",
    )

    objects = RevisionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "state"], name="revision_item_state")]
        constraints = [
            choice_constraint("revision", "state", RevisionState),
            choice_constraint("revision", "action", RevisionAction),
        ]
        verbose_name = "change"
        verbose_name_plural = "changes awaiting review"

    def __str__(self):
        return f"{self.get_action_display()} of {self.object_repr} ({self.get_state_display().lower()})"

    @property
    def model(self):
        return self.content_type.model_class()

    def item(self):
        return self.model._default_manager.filter(pk=self.object_id).first()


class ContentGeneration(models.Model):
    """One row whose `number` changes as soon as any change to content commits (workflow.signals).

    Work derived from published content (a rendered comparison column) can be kept under the number it was
    made at and reused while the number stands: any committed change gives a new number, on every process and
    server at once, because it lives in the database beside the content. A new number is at least
    `time.time_ns()` and larger than the last, so a number is never used twice, not even after the table is
    emptied and filled again."""

    ROW = 1

    number = models.BigIntegerField(default=0)

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"Content generation {self.number}"

    @classmethod
    def current(cls):
        """The number now, or None if there is no row (then nothing derived should be kept)."""
        return cls.objects.filter(pk=cls.ROW).values_list("number", flat=True).first()

    @classmethod
    def for_request(cls, request):
        """The number under which rendered parts may be kept and reused for this request (read once per
        request), or None: a staff preview runs in a transaction that is rolled back, and so does anything
        else run inside a transaction, so what it renders must not be kept."""
        if request is None or getattr(request, "preview", None) is not None or connection.in_atomic_block:
            return None
        if not hasattr(request, "_content_generation"):
            request._content_generation = cls.current()
        return request._content_generation

    @classmethod
    def advance(cls):
        """A new number, larger than the last even if this server's clock is behind the one that set it."""
        later = Greatest(F("number") + 1, Value(time.time_ns()))
        if not cls.objects.filter(pk=cls.ROW).update(number=later):
            try:
                with transaction.atomic():  # two first changes at once: one creates the row, the other updates it
                    cls.objects.create(pk=cls.ROW, number=time.time_ns())
            except IntegrityError:
                cls.objects.filter(pk=cls.ROW).update(number=later)
