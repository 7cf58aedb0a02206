"""export_content writes the content back to fixtures/ exactly as load_content reads it."""

import json

import pytest
from django.core.management import call_command

from workflow.management.commands.load_content import content_fixture_paths

pytestmark = pytest.mark.django_db


def test_load_then_export_gives_byte_identical_fixtures(tmp_path):
    call_command("export_content", dir=tmp_path, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for path in content_fixture_paths():
        exported = (tmp_path / path.name).read_bytes()
        assert exported == path.read_bytes(), f"{path.name} differs after a round trip"


def test_export_leaves_out_ids_and_edit_versions(tmp_path):
    call_command("export_content", dir=tmp_path, stdout=open("/dev/null", "w"))  # noqa: SIM115
    for path in content_fixture_paths():
        for entry in json.loads((tmp_path / path.name).read_text()):
            assert "pk" not in entry
            assert "version" not in entry["fields"]
