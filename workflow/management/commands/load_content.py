"""Load the site's content from fixtures/, checking every object before it is saved.

All or nothing: one bad object stops the load with a message naming the file and the
object, and the database is left as it was. By default rows that already exist (found
by their natural key, e.g. a treatment's slug) are left alone, and once staff have changed
content in admin nothing is loaded at all, so a restart never brings back what a reviewer
deleted or renamed. --overwrite replaces the content with the fixtures' version, keeping each
item's edit version (moved forward), publishing state and review record as stored.
"""

import json
import uuid
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction
from django.db.models import F

from workflow import kept
from workflow.models import Revision, RevisionState, Versioned, content_models, item_of, parts_of
from workflow.moderation import KEPT_FROM_LIVE


class FixtureError(Exception):
    pass


def content_fixture_paths():
    """The site's content files, in load order (settings.CONTENT_FIXTURES)."""
    return [Path(settings.FIXTURE_DIRS[0]) / f"{name}.json" for name in settings.CONTENT_FIXTURES]


def describe(deserialized, position):
    obj = deserialized.object
    try:
        key = "/".join(str(part) for part in obj.natural_key())
    except Exception:  # a broken foreign key can make the natural key itself fail
        key = f"object #{position}"
    return f"{obj._meta.label} '{key}' (object #{position})"


def check_shape(path, document):
    """A fixture is a list of {"model": ..., "fields": {...}} objects; anything else is refused by name."""
    if not isinstance(document, list):
        raise FixtureError(f"{path}: the file must hold a list of objects, not {type(document).__name__}")
    for position, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise FixtureError(f"{path}: object #{position} is {type(item).__name__}, not an object")
        if not isinstance(item.get("model"), str) or not isinstance(item.get("fields"), dict):
            raise FixtureError(f'{path}: object #{position} needs a "model" name and a "fields" object')
        if item["model"].lower() not in content_labels():
            raise FixtureError(f"{path}: object #{position} is a {item['model']}, which is not site content")
        if "pk" in item:
            # Content is named by natural key; a pk could silently drop one object or rename another.
            raise FixtureError(f"{path}: object #{position} carries a pk: name content by its natural key only")


def cache_answers():
    """Whether the cache keeps what it is given: the pages it holds are cleared after the load commits."""
    token = uuid.uuid4().hex
    cache.set("load_content:probe", token, 30)
    return cache.get("load_content:probe") == token


def content_labels():
    """The models a content file may hold: the content items and their parts (rows, links, ingredients)."""
    labels = set()
    for model in content_models():
        parts = [part for _, part, _ in parts_of(model)] if hasattr(model, "moderated_parts") else []
        for owner in (model, *parts):
            labels.add(owner._meta.label_lower)
            labels.update(field.remote_field.through._meta.label_lower for field in owner._meta.many_to_many)
    return labels


def natural_key_of(obj):
    """(model, natural key) for models that have one, else (model, pk); None when neither is known."""
    try:
        key = obj.natural_key() if hasattr(obj, "natural_key") else (obj.pk,)
    except Exception:  # a broken foreign key can make the natural key itself fail; full_clean reports it
        return None
    return None if key in ((None,), ()) else (obj._meta.label, tuple(key))


def owning_item(obj):
    """(model, pk) of the item whose edit counter must move when `obj` is replaced."""
    owner = item_of(type(obj))
    if owner is None:
        return (type(obj), obj.pk)
    return (owner[0], getattr(obj, f"{owner[1]}_id"))


def move_versions_forward(touched):
    """Forms opened before an overwriting load are stale: every replaced item (or item of a replaced row)
    moves to its next version, as any other save does."""
    for model, pk in touched:
        if issubclass(model, Versioned):
            model._default_manager.filter(pk=pk).update(version=F("version") + 1)


def load_fixture(path, *, overwrite, touched, seen):
    counts = Counter()
    try:
        text = Path(path).read_text(encoding="utf-8")
        document = json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FixtureError(f"{path}: cannot read the file as JSON: {error}") from error
    except RecursionError as error:
        raise FixtureError(f"{path}: cannot read the file as JSON: it is nested too deeply") from error
    check_shape(path, document)

    pending_relations = []
    position = 0
    try:
        for position, deserialized in enumerate(
            serializers.deserialize("json", text, handle_forward_references=True), start=1
        ):
            obj = deserialized.object
            model = type(obj)
            key = natural_key_of(obj)
            if key is not None and key in seen:
                where = "object #{1}".format(*seen[key]) if seen[key][0] == path else "{} object #{}".format(*seen[key])
                raise FixtureError(
                    f"{path}: {describe(deserialized, position)} has the same natural key as {where}: "
                    "each object must appear once"
                )
            seen[key] = (path, position)
            exists = obj.pk is not None and model._default_manager.filter(pk=obj.pk).exists()
            if exists and not overwrite:
                counts["kept"] += 1
                continue
            obj._state.adding = not exists  # so unique checks compare against other rows, not itself
            if exists:  # fixtures carry no version, and publishing is a reviewer's decision: keep both as stored
                keep = [name for name in KEPT_FROM_LIVE if hasattr(obj, name)]
                if keep:
                    stored = model._default_manager.filter(pk=obj.pk).values(*keep).get()
                    for name, value in stored.items():
                        setattr(obj, name, value)
            if exists:
                touched.add(owning_item(obj))
            try:
                obj.full_clean()
                with transaction.atomic():
                    deserialized.save()
            except ValidationError as error:
                details = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
                raise FixtureError(f"{path}: {describe(deserialized, position)} is not valid: {details}") from error
            except DatabaseError as error:
                raise FixtureError(f"{path}: {describe(deserialized, position)} could not be saved: {error}") from error
            if deserialized.deferred_fields:
                pending_relations.append((position, deserialized))
            counts["saved"] += 1
    except serializers.base.DeserializationError as error:
        raise FixtureError(f"{path}: object #{position + 1} cannot be read: {error}") from error
    for position, deserialized in pending_relations:
        try:
            deserialized.save_deferred_fields()
        except serializers.base.DeserializationError as error:
            raise FixtureError(
                f"{path}: {describe(deserialized, position)} cites something that does not exist: {error}"
            ) from error
    return counts


class Command(BaseCommand):
    help = "Load the site's content from fixtures/ (the files in settings.CONTENT_FIXTURES)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", help="Fixture files to load instead of the site's content fixtures.")
        parser.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace rows that already exist with the fixture's version (loses edits made in admin).",
        )

    def handle(self, *args, paths, overwrite, **options):
        if not overwrite and Revision.objects.exclude(state=RevisionState.BASELINE).exists():
            # Staff have changed content in admin: the database now holds the reviewed content (items they
            # deleted or renamed included), so adding fixture rows could bring back what a reviewer removed.
            self.stdout.write(
                "Content not loaded: staff have changed it in admin, so the database is kept as it is. "
                "'make export-content' writes it to fixtures/; '--overwrite' replaces it with the fixtures."
            )
            return
        if not cache_answers():
            raise CommandError(
                "Nothing was loaded. The cache does not answer (is Redis down?), so servers would go on showing "
                "the old pages after the load. Try again once it answers (/healthz shows it)."
            )
        counts = Counter()
        touched, seen = set(), {}
        try:
            with transaction.atomic():
                for path in paths or content_fixture_paths():
                    counts.update(load_fixture(path, overwrite=overwrite, touched=touched, seen=seen))
                move_versions_forward(touched)
        except FixtureError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        self.stdout.write(f"Content loaded: {counts['saved']} saved, {counts['kept']} already there and kept.")
        if not kept.caught_up(wait=kept.RETRY_FOR_SECONDS + 5):
            raise CommandError(
                "The content was loaded, but the servers could not be told: they may show parts of pages made "
                "before the load for up to DJANGO_RENDERED_PARTS_SECONDS. Save any item in admin, or restart "
                "the app servers."
            )
