"""Write the database's content back to fixtures/*.json, the files load_content reads.

    manage.py export_content [--dir DIR]

Same four files, same models per file, natural keys and no database ids, objects in a stable order
(model order as in the file, then by natural key), 2-space indent, UTF-8 text, a final newline.
Bookkeeping (the edit `version`) is left out so fixture diffs stay about content. Loading the
fixtures and exporting again gives byte-identical files.
"""

import json
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management.base import BaseCommand

from .load_content import content_fixture_paths

BOOKKEEPING = {"version"}


def models_per_file():
    """Which models each fixture file holds, in the order they appear there."""
    found = {}
    for path in content_fixture_paths():
        labels = []
        for entry in json.loads(path.read_text(encoding="utf-8")):
            if entry["model"] not in labels:
                labels.append(entry["model"])
        found[path.stem] = [apps.get_model(label) for label in labels]
    return found


def _key(obj):
    return tuple(str(part) for part in obj.natural_key())


def export_file(models):
    entries = []
    for model in models:
        fields = [
            f.name
            for f in model._meta.get_fields()
            if (f.concrete or f.many_to_many)
            and not f.auto_created
            and f.name not in BOOKKEEPING
            and not getattr(f, "primary_key", False)
        ]
        objects = sorted(model._default_manager.all(), key=_key)
        data = serializers.serialize(
            "python", objects, fields=fields, use_natural_foreign_keys=True, use_natural_primary_keys=True
        )
        for entry in data:
            entry.pop("pk", None)
            for name, value in entry["fields"].items():
                if isinstance(value, list) and value and isinstance(value[0], list | tuple):
                    entry["fields"][name] = sorted(value)
            entries.append(entry)
    return json.dumps(entries, indent=2, ensure_ascii=False, cls=serializers.json.DjangoJSONEncoder) + "\n"


class Command(BaseCommand):
    help = "Write the site's content from the database back to fixtures/*.json (natural keys, stable order)."

    def add_arguments(self, parser):
        parser.add_argument("--dir", type=Path, help="Write the files here instead of the fixtures folder.")

    def handle(self, *args, dir=None, **options):
        target = Path(dir or settings.FIXTURE_DIRS[0])
        target.mkdir(parents=True, exist_ok=True)
        for name, models in models_per_file().items():
            path = target / f"{name}.json"
            path.write_text(export_file(models), encoding="utf-8")
            self.stdout.write(f"Wrote {path}")
