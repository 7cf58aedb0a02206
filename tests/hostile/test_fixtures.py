"""Hostile fixtures for load_content: files that load "successfully" while dropping or overwriting objects,
or that end in a traceback instead of "Nothing was loaded"."""

import contextlib
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from treatments.models import Indication

pytestmark = pytest.mark.django_db


def indication(slug, pk=None):
    entry = {
        "model": "treatments.indication",
        "fields": {"status": "published", "name": f"Concern {slug}", "slug": slug, "summary": "s", "sort_order": 9},
    }
    if pk is not None:
        entry["pk"] = pk
    return entry


def write(tmp_path, entries=None, raw=None):
    path = tmp_path / "content.json"
    path.write_text(raw if raw is not None else json.dumps(entries))
    return path


def test_two_objects_with_one_pk_are_refused_not_one_silently_dropped(tmp_path):
    path = write(tmp_path, [indication("zz-one", pk=9001), indication("zz-two", pk=9001)])
    with contextlib.suppress(CommandError):  # refused: fine
        call_command("load_content", str(path), verbosity=0)
    slugs = set(Indication.objects.filter(slug__startswith="zz-").values_list("slug", flat=True))
    assert slugs in (set(), {"zz-one", "zz-two"}), f"loaded without complaint, but only {slugs} is in the database"


def test_a_new_object_carrying_the_pk_of_another_is_not_silently_dropped(tmp_path):
    existing = Indication.objects.order_by("pk").first()
    path = write(tmp_path, [indication("zz-new-concern", pk=existing.pk)])
    try:
        call_command("load_content", str(path), verbosity=0)
    except CommandError:
        return  # refused: fine
    assert Indication.objects.filter(slug="zz-new-concern").exists(), "'loaded', yet the new concern is not there"


def test_overwrite_does_not_rename_a_different_object_that_happens_to_have_the_pk(tmp_path):
    existing = Indication.objects.order_by("pk").first()
    old_slug = existing.slug
    path = write(tmp_path, [indication("zz-new-concern", pk=existing.pk)])
    try:
        call_command("load_content", "--overwrite", str(path), verbosity=0)
    except CommandError:
        return  # refused: fine
    assert Indication.objects.filter(slug=old_slug).exists(), (
        f"--overwrite replaced the concern '{old_slug}' with 'zz-new-concern' (matched by database id, "
        f"not by its natural key): every link to /compare/?concern={old_slug} now 404s"
    )


def test_deeply_nested_json_is_refused_with_the_usual_message_not_a_traceback(tmp_path):
    path = write(tmp_path, raw="[" * 100_000 + "]" * 100_000)
    with pytest.raises(CommandError, match="Nothing was loaded"):
        call_command("load_content", str(path), verbosity=0)


def test_a_content_file_cannot_create_a_superuser(tmp_path):
    path = write(
        tmp_path,
        [{"model": "auth.user", "fields": {"username": "zz-admin", "password": "!", "is_superuser": True}}],
    )
    with contextlib.suppress(CommandError):
        call_command("load_content", str(path), verbosity=0)
    assert not get_user_model().objects.filter(username="zz-admin").exists(), (
        "load_content (the site's *content* loader) created a superuser from a fixture"
    )
