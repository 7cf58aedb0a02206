"""The staff content workflow's building blocks: publishing state, the review schedule and edit versions.

A content model joins the workflow by subclassing `Publishable` (or `Reviewed`, which adds the review
dates patients see) and naming the rows edited with it in `moderated_parts`; its admin subclasses
`workflow.admin.ContentAdmin`. The workflow finds content through these base classes and never imports
a content app.

The publish permission lives on a table-less model here, not on the content models, so that 'Content
editors' can hold every permission of the content models while publishing stays with 'Clinical reviewers'."""

from django.apps import apps
from django.db import models
from django.db.models import F, Q


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


class Versioned(models.Model):
    """An edit counter for "no lost edits": admin forms carry the version they were opened at and are
    refused if the item has been saved since (see workflow/forms.py). Every save adds one."""

    version = models.PositiveIntegerField(
        default=1,
        editable=False,
        help_text="Counts saves, so two people editing the same item cannot overwrite each other's work.",
    )

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "version"}
        super().save(*args, **kwargs)


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


REVIEW_FIELDS = ("last_reviewed", "next_review_due", "reviewed_by")


class Reviewed(Publishable):
    """Publishable content with the review schedule patients see at the foot of its page."""

    last_reviewed = models.DateField(
        help_text="The date a qualified reviewer last checked this content against the evidence."
    )
    next_review_due = models.DateField(
        help_text="When this content must be checked again (usually 12 months after the last review)."
    )
    reviewed_by = models.CharField(
        max_length=200,
        help_text="Name and role of the person who last checked it, for example 'Dr A Patel, dermatologist'.",
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
