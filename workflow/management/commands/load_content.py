"""Load the site's content from fixtures/, checking every object before it is saved.

All or nothing: one bad object stops the load with a message naming the file and the
object, and the database is left as it was. By default rows that already exist (found
by their natural key, e.g. a treatment's slug) are left alone, so staff edits made in
admin survive a re-run; --overwrite replaces them with the fixture's version.
"""

import json
from collections import Counter
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, transaction


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


def load_fixture(path, *, overwrite):
    counts = Counter()
    try:
        text = Path(path).read_text(encoding="utf-8")
        json.loads(text)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FixtureError(f"{path}: cannot read the file as JSON: {error}") from error

    pending_relations = []
    position = 0
    try:
        for position, deserialized in enumerate(
            serializers.deserialize("json", text, handle_forward_references=True), start=1
        ):
            obj = deserialized.object
            model = type(obj)
            exists = obj.pk is not None and model._default_manager.filter(pk=obj.pk).exists()
            if exists and not overwrite:
                counts["kept"] += 1
                continue
            obj._state.adding = not exists  # so unique checks compare against other rows, not itself
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
        counts = Counter()
        try:
            with transaction.atomic():
                for path in paths or content_fixture_paths():
                    counts.update(load_fixture(path, overwrite=overwrite))
        except FixtureError as error:
            raise CommandError(f"Nothing was loaded. {error}") from error
        self.stdout.write(f"Content loaded: {counts['saved']} saved, {counts['kept']} already there and kept.")
