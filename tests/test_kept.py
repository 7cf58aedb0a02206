"""Rendered parts kept per content generation (workflow/kept.py, issue 11 item 5), with the page cache off.

These run with committed transactions, as the site does: inside a test's transaction nothing is kept, so the
rest of the suite always sees parts rendered from its own data.
"""

from http import HTTPStatus
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comparisons import tables
from treatments.models import SideEffect, Treatment
from workflow.models import ContentGeneration

pytestmark = pytest.mark.django_db(transaction=True)

COMPARE = "/compare/mesotherapy-vs-prp/"
THREE = f"{COMPARE}?concern=hair-loss&treatments=mesotherapy&treatments=prp&treatments=minoxidil"


@pytest.fixture(autouse=True)
def content(settings):
    settings.PAGE_CACHE_SECONDS = 0
    caches["rendered"].clear()
    call_command("load_content", verbosity=0)
    yield
    caches["rendered"].clear()


def html(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def cells_rendered(client, url):
    with mock.patch.object(tables, "render_to_string", wraps=tables.render_to_string) as render:
        page = html(client, url)
    return render.call_count, page


def test_a_kept_page_is_the_same_page_and_makes_one_query(client):
    first = html(client, COMPARE)
    with CaptureQueriesContext(connection) as queries:
        again = html(client, COMPARE)
    assert again == first
    assert [q["sql"] for q in queries.captured_queries] == [
        q["sql"] for q in queries.captured_queries if "workflow_contentgeneration" in q["sql"]
    ]
    assert len(queries.captured_queries) == 1


def test_another_choice_of_options_reuses_the_columns_already_rendered(client):
    assert cells_rendered(client, COMPARE)[0] > 0
    rendered, page = cells_rendered(client, THREE)
    rows = sum(len(group.rows) for group in tables.COMPARISON_ROWS)
    assert rendered == rows  # minoxidil's cells (used daily: no example year); mesotherapy and PRP were kept
    assert page.count('<th scope="col">') == 3


def test_a_committed_edit_shows_on_the_next_request(client):
    assert "Edited redness." not in html(client, COMPARE)
    effect = SideEffect.objects.filter(treatment__slug="prp").order_by("pk").first()
    before = ContentGeneration.current()
    effect.name = "Edited redness."
    effect.save()
    assert ContentGeneration.current() != before
    assert "Edited redness." in html(client, COMPARE)


def test_a_staff_preview_is_rendered_afresh_and_never_kept_for_patients(editor_client):
    patient = Client()
    html(patient, COMPARE)  # the columns are kept
    prp = Treatment.objects.get(slug="prp")
    Treatment.objects.filter(pk=prp.pk).update(summary="Only in the preview.")  # no signal: same generation
    assert "Only in the preview." not in html(patient, COMPARE)  # the kept column
    assert "Only in the preview." in html(editor_client, f"{COMPARE}?preview=treatments.treatment:{prp.pk}")
    assert "Only in the preview." not in html(patient, COMPARE)  # what the preview rendered was not kept


def test_without_a_generation_row_everything_is_rendered_afresh(client):
    ContentGeneration.objects.all().delete()
    first, _ = cells_rendered(client, COMPARE)
    second, _ = cells_rendered(client, COMPARE)
    assert first == second > 0
    SideEffect.objects.filter(treatment__slug="prp").order_by("pk").first().save()  # makes the row again
    assert ContentGeneration.current() is not None


def test_the_kept_tag_needs_a_quoted_name_and_renders_its_part():
    with pytest.raises(TemplateSyntaxError):
        Template("{% load kept %}{% kept name %}x{% endkept %}")
    part = Template('{% load kept %}{% kept "part" value %}[{{ value }}]{% endkept %}')
    assert part.render(Context({"value": 1})) == "[1]"  # no request: rendered, not kept
    assert part.render(Context({"value": 2})) == "[2]"


def test_an_option_deleted_while_the_page_is_made_is_left_out(client):
    """The choices were read (and kept) before the deletion committed; the columns are fetched after it."""
    html(client, COMPARE)
    store = caches["rendered"]
    store.delete_many([key.split(":", 2)[2] for key in list(store._cache) if ":kept:column:" in key])  # not kept yet
    Treatment.objects.filter(slug="prp").update(status="draft")  # no signal: the kept choices still list PRP
    page = html(client, COMPARE)
    assert page.count('<th scope="col">') == 1 and ">PRP</a></th>" not in page
