"""The content fixtures load, validate, and load again without duplicating anything."""

import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from treatments.models import Treatment
from workflow.management.commands.load_content import content_fixture_paths

pytestmark = pytest.mark.django_db

CONTENT_MODELS = [model for app in ("treatments", "comparisons") for model in apps.get_app_config(app).get_models()]


def row_counts():
    return {model._meta.label: model.objects.count() for model in CONTENT_MODELS}


def test_every_content_model_has_fixture_rows():
    empty = [label for label, count in row_counts().items() if count == 0]
    assert empty == []


@pytest.mark.parametrize("model", CONTENT_MODELS, ids=lambda model: model._meta.label)
def test_every_loaded_object_passes_full_clean(model):
    for obj in model.objects.all():
        obj.full_clean()


def test_fixtures_use_natural_keys_not_ids():
    for path in content_fixture_paths():
        for entry in json.loads(path.read_text()):
            assert "pk" not in entry, f"{path.name}: {entry['model']} uses a database id"


def test_loading_twice_leaves_one_copy_of_everything():
    before = row_counts()
    call_command("load_content", verbosity=0)
    call_command("load_content", "--overwrite", verbosity=0)
    assert row_counts() == before


def test_reloading_keeps_staff_edits_unless_asked_to_overwrite():
    Treatment.objects.filter(slug="prp").update(summary="Edited by staff in admin.")
    call_command("load_content", verbosity=0)
    assert Treatment.objects.get(slug="prp").summary == "Edited by staff in admin."
    call_command("load_content", "--overwrite", verbosity=0)
    assert Treatment.objects.get(slug="prp").summary != "Edited by staff in admin."


def broken_copy(tmp_path, change):
    """A copy of the treatments fixture with one object broken by `change`."""
    source = next(path for path in content_fixture_paths() if path.stem == "treatments")
    entries = json.loads(source.read_text())
    change(entries)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(entries))
    return path


def first(entries, model):
    return next(entry for entry in entries if entry["model"] == model)


def test_broken_fixture_names_file_and_object_and_changes_nothing(tmp_path):
    def backwards_range(entries):
        prp = next(e for e in entries if e["model"] == "treatments.treatment" and e["fields"]["slug"] == "prp")
        prp["fields"]["summary"] = "This edit must not survive."
        link = first(entries, "treatments.treatmentindication")
        link["fields"]["weeks_between_sessions_min"] = 99

    path = broken_copy(tmp_path, backwards_range)
    before = row_counts()
    with pytest.raises(CommandError) as error:
        call_command("load_content", str(path), "--overwrite", verbosity=0)
    message = str(error.value)
    assert "broken.json" in message
    assert "treatments.TreatmentIndication" in message
    assert "must not be more than" in message
    assert row_counts() == before
    assert Treatment.objects.get(slug="prp").summary != "This edit must not survive."


def test_unknown_choice_in_fixture_is_reported(tmp_path):
    path = broken_copy(tmp_path, lambda entries: first(entries, "treatments.treatment")["fields"].update(cost_tier=7))
    with pytest.raises(CommandError, match=r"broken.json.*treatments.Treatment.*cost_tier"):
        call_command("load_content", str(path), "--overwrite", verbosity=0)


def test_reference_to_a_missing_object_is_reported(tmp_path):
    def dangling(entries):
        first(entries, "treatments.sideeffect")["fields"]["references"] = [["no-such-study-1999"]]

    path = broken_copy(tmp_path, dangling)
    with pytest.raises(CommandError, match="broken.json"):
        call_command("load_content", str(path), "--overwrite", verbosity=0)


def test_file_that_is_not_json_is_reported(tmp_path):
    path = tmp_path / "notjson.json"
    path.write_text("[{'model': oops")
    with pytest.raises(CommandError, match="notjson.json.*JSON"):
        call_command("load_content", str(path), verbosity=0)


def test_reloading_with_overwrite_makes_cached_pages_current_after_commit(client, django_capture_on_commit_callbacks):
    url = Treatment.objects.get(slug="prp").get_absolute_url()
    fixture_summary = Treatment.objects.get(slug="prp").summary
    Treatment.objects.filter(slug="prp").update(summary="A summary typed straight into the database.")
    with django_capture_on_commit_callbacks(execute=True):
        Treatment.objects.get(slug="prp").save()  # any saved content marks cached pages stale
    assert "typed straight into the database" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("load_content", "--overwrite", verbosity=0)
    assert callbacks, "the cache must be told after the load commits, not during it"
    html = client.get(url).content.decode()
    assert "typed straight into the database" not in html
    assert fixture_summary[:40] in html


def test_a_repeated_natural_key_is_refused_naming_both_objects(tmp_path):
    def repeat_prp(entries):
        prp = next(e for e in entries if e["model"] == "treatments.treatment" and e["fields"]["slug"] == "prp")
        twin = json.loads(json.dumps(prp))
        twin["fields"]["summary"] = "A second PRP that must not replace the first."
        entries.append(twin)

    path = broken_copy(tmp_path, repeat_prp)
    before = row_counts()
    with pytest.raises(CommandError) as error:
        call_command("load_content", str(path), "--overwrite", verbosity=0)
    message = str(error.value)
    assert message.startswith("Nothing was loaded.")
    assert "broken.json" in message and "treatments.Treatment 'prp'" in message and "same natural key" in message
    assert row_counts() == before
    assert not Treatment.objects.filter(summary__startswith="A second PRP").exists()


def test_the_same_object_in_two_files_is_refused(tmp_path):
    source = next(path for path in content_fixture_paths() if path.stem == "references")
    copy = tmp_path / "again.json"
    copy.write_text(source.read_text())
    with pytest.raises(CommandError, match=r"again.json.*same natural key as .*references.json object #1"):
        call_command("load_content", str(source), str(copy), "--overwrite", verbosity=0)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("null", "must hold a list of objects, not NoneType"),
        ('{"model": "treatments.treatment"}', "must hold a list of objects, not dict"),
        ("[null]", "object #1 is NoneType, not an object"),
        ('[1, "two"]', "object #1 is int, not an object"),
        ('[{"fields": {}}]', 'object #1 needs a "model" name and a "fields" object'),
        ('[{"model": "treatments.treatment", "fields": null}]', 'object #1 needs a "model"'),
    ],
)
def test_a_file_that_is_not_a_list_of_objects_is_refused_by_name(tmp_path, text, says):
    path = tmp_path / "odd.json"
    path.write_text(text)
    before = row_counts()
    with pytest.raises(CommandError) as error:
        call_command("load_content", str(path), "--overwrite", verbosity=0)
    assert str(error.value).startswith("Nothing was loaded.")
    assert "odd.json" in str(error.value) and says in str(error.value)
    assert row_counts() == before
