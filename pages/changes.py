"""Public change notes (issue 9): the sentence a clinical reviewer writes for patients when they approve a
change, shown on /changes/, in its Atom feed, and as "Recent changes" on the page the change was about.

This module is the one place that asks the database for them. `public_changes(about)` is a single query
whatever the number of notes: where each item is shown now (or that it is not shown any more, because it was
taken down or deleted) is worked out in SQL, one correlated subquery per kind of item, so no query is made
per note. Content views cannot import `pages` (imports run pages -> comparisons -> treatments -> workflow),
so they pass what their page is about to the `{% recent_changes %}` tag (pages/templatetags/changes.py)."""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models
from django.db.models import Case, CharField, OuterRef, Q, Subquery, Value, When
from django.urls import reverse

from comparisons.models import Comparison, FaqEntry
from treatments.models import Indication, Reference, Treatment
from workflow.models import Revision

PER_PAGE = 50  # on /changes/
IN_FEED = 30
ON_A_PAGE = 3  # the "Recent changes" box on each patient page


@dataclass(frozen=True)
class Place:
    """Where patients see one kind of item: `address(key)` is its link, `key` the field that goes in it."""

    model: type[models.Model]
    key: str
    kind: str  # what patients call it
    address: Callable[[str], str]

    def shown_key(self):
        """The key of the item a note is about, if that item is published now (else NULL)."""
        published = self.model._default_manager.published().filter(pk=OuterRef("object_id"))
        return Subquery(published.values(self.key)[:1])


PLACES = (
    Place(Treatment, "slug", "Treatment", lambda slug: Treatment(slug=slug).get_absolute_url()),
    Place(Comparison, "slug", "Comparison", lambda slug: Comparison(slug=slug).get_absolute_url()),
    Place(FaqEntry, "slug", "Question", lambda slug: f"{reverse('comparisons:faq')}#{slug}"),
    Place(Reference, "key", "Source", lambda key: f"{reverse('pages:references')}#ref-{key}"),
    Place(Indication, "slug", "Concern", lambda slug: f"{reverse('pages:home')}#concern-{slug}"),
)
_BY_CONTENT_TYPE = {(p.model._meta.app_label, p.model._meta.model_name): p for p in PLACES}


@dataclass(frozen=True)
class ChangeNote:
    """One approved change, as patients see it."""

    pk: int
    note: str
    decided_at: datetime.datetime
    name: str  # the item's name when the change was made
    kind: str  # "Treatment", "Question", ...
    url: str  # where the item is shown now; "" if it is not published any more


def public_changes(about=None):
    """Approved changes with a note for patients, newest first, each annotated with `shown_key`.

    `about` is None for every change on the site, or an iterable of items (model instances) and kinds of
    item (model classes): then only the changes to those. An empty `about` matches nothing (and costs no
    query)."""
    notes = (
        Revision.objects.public_notes()
        .exclude(decided_at=None)  # always set on approval; a note is shown with its date or not at all
        .annotate(
            shown_key=Case(
                *(When(_kind(place.model), then=place.shown_key()) for place in PLACES),
                default=Value(None),
                output_field=CharField(),
            )
        )
    )
    if about is not None:
        notes = notes.filter(_changes_to(about))
    return notes


def _changes_to(about: Iterable):
    ids_by_model = {}
    condition = Q(pk__in=[])
    for subject in about:
        if isinstance(subject, type) and issubclass(subject, models.Model):
            condition |= _kind(subject)
        else:
            ids_by_model.setdefault(type(subject), set()).add(subject.pk)
    for model, ids in ids_by_model.items():
        condition |= _kind(model) & Q(object_id__in=sorted(ids))
    return condition


def _kind(model):
    """Revisions of this model, matched through the join to ContentType (so no ContentType lookup query)."""
    meta = model._meta
    return Q(content_type__app_label=meta.app_label, content_type__model=meta.model_name)


def describe(revisions):
    """ChangeNotes for revisions from `public_changes` (a slice or page of it): no further queries."""
    changes = []
    for revision in revisions:
        place = _BY_CONTENT_TYPE.get((revision.content_type.app_label, revision.content_type.model))
        shown = place is not None and revision.shown_key
        changes.append(
            ChangeNote(
                pk=revision.pk,
                note=revision.change_note,
                decided_at=revision.decided_at,
                name=revision.object_repr,
                kind=place.kind if place else "Page",
                url=place.address(revision.shown_key) if shown else "",
            )
        )
    return changes


def latest_changes(about=None, limit=ON_A_PAGE):
    return describe(public_changes(about)[:limit])
