"""Rendered parts kept per content generation (workflow/kept.py, issue 11 item 5), with the page cache off.

These run with committed transactions, as the site does: inside a test's transaction nothing is kept, so the
rest of the suite always sees parts rendered from its own data.
"""

import time
from contextlib import contextmanager
from http import HTTPStatus
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.template import Context, Template, TemplateSyntaxError
from django.test import Client
from django.test.utils import CaptureQueriesContext

from comparisons import tables
from treatments.models import SideEffect, Treatment
from workflow import kept
from workflow.models import ContentGeneration
from workflow.moderation import take_down
from workflow.signals import content_changed

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


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@contextmanager
def failing_first(times):
    """ContentGeneration.advance, refused by the database the next `times` calls; yields a dict whose "left"
    can be raised to refuse more."""
    real = ContentGeneration.advance.__func__
    refusals = {"left": times}

    def advance(cls):
        if refusals["left"] > 0:
            refusals["left"] -= 1
            raise OperationalError("server closed the connection unexpectedly")
        return real(cls)

    with mock.patch.object(ContentGeneration, "advance", classmethod(advance)):
        yield refusals


def retrying():
    thread = kept._retrying
    return thread is not None and thread.is_alive()


@pytest.fixture
def quick_retries(monkeypatch):
    monkeypatch.setattr(kept, "RETRY_EVERY_SECONDS", 0.05)
    monkeypatch.setattr(kept, "TRY_FROM_REQUESTS_EVERY_SECONDS", 0.2)
    yield
    assert wait_for(lambda: not retrying())
    kept._made_up = kept._failed  # the next test starts caught up


@pytest.fixture
def announced():
    """Each content_changed sent during the test, by sender."""
    senders = []
    content_changed.connect(lambda **kwargs: senders.append(kwargs["sender"]), weak=False, dispatch_uid="count")
    yield senders
    content_changed.disconnect(dispatch_uid="count")


def test_a_take_down_whose_generation_update_fails_still_disappears_at_once_and_everywhere(
    settings, client, reviewer, quick_retries, announced, caplog
):
    """The take-down commits, but moving the number on is refused once (a dropped connection): this process
    must not serve its kept PRP column, the number must still move (other servers drop theirs), and the
    change is announced again so pages they cached meanwhile are invalidated."""
    settings.PAGE_CACHE_SECONDS = 600
    assert ">PRP</a></th>" in html(client, COMPARE)  # PRP's column kept, the page cached
    before = ContentGeneration.current()
    prp = Treatment.objects.get(slug="prp")
    with failing_first(1):
        take_down(prp, reviewer=reviewer, change_note="Taken down for a safety review.")
        assert announced  # the page cache was told after commit, as always
        told = len(announced)
        # What this process serves now, and after the number has moved, never shows PRP.
        assert ">PRP</a></th>" not in html(client, COMPARE)
        assert wait_for(lambda: ContentGeneration.current() != before)
        assert wait_for(lambda: len(announced) == told + 1)  # announced again once the number moved
    assert "could not be moved on" in caplog.text
    assert ">PRP</a></th>" not in html(client, COMPARE)
    settings.PAGE_CACHE_SECONDS = 0
    others = f"{COMPARE}?concern=hair-loss&treatments=mesotherapy&treatments=minoxidil&treatments=finasteride"
    rendered, _ = cells_rendered(client, others)
    assert rendered > 0 and cells_rendered(client, others)[0] == 0  # keeping again under the new number


def test_after_the_retries_give_up_requests_try_again_and_keeping_resumes_once_the_number_moves(
    client, monkeypatch, quick_retries, announced, caplog
):
    monkeypatch.setattr(kept, "RETRY_FOR_SECONDS", 0.3)
    html(client, COMPARE)
    effect = SideEffect.objects.filter(treatment__slug="prp").order_by("pk").first()
    before = ContentGeneration.current()
    with failing_first(10**6):
        effect.name = "Edited while the database refused."
        effect.save()
        assert wait_for(lambda: not retrying())
        assert "this process keeps no rendered parts" in caplog.text
        assert "Edited while the database refused." in html(client, COMPARE)
        time.sleep(0.25)
        assert cells_rendered(client, COMPARE)[0] > 0  # still refused: rendered afresh, nothing kept
    assert ContentGeneration.current() == before
    told = len(announced)
    time.sleep(0.25)
    html(client, COMPARE)  # this request's try moves the number on, and the change is announced again
    assert ContentGeneration.current() != before and len(announced) == told + 1
    html(client, COMPARE)
    assert cells_rendered(client, COMPARE)[0] == 0


def test_a_failure_while_a_retry_announces_gets_a_retry_of_its_own(client, reviewer, quick_retries, announced):
    """The retry moves the number and announces; during that announcement another change's update fails."""

    def second_change_fails(sender, **kwargs):
        if sender is ContentGeneration and not second_change_fails.done:  # the retry's announcement
            second_change_fails.done = True
            refusals["left"] = 1
            kept.advance_generation(announce_again=lambda: content_changed.send(sender=ContentGeneration))

    second_change_fails.done = False
    content_changed.connect(second_change_fails, weak=False, dispatch_uid="second")
    try:
        with failing_first(1) as refusals:
            take_down(Treatment.objects.get(slug="prp"), reviewer=reviewer, change_note="Safety review.")
            assert wait_for(lambda: second_change_fails.done and not retrying())
    finally:
        content_changed.disconnect(dispatch_uid="second")
    assert not kept.behind()  # the second failure was retried too
    assert announced.count(ContentGeneration) == 2


def test_an_update_that_started_before_a_failure_does_not_make_up_for_it(quick_retries):
    """Another thread's update lands, a take-down commits and its update fails, then the first thread records
    its success: the take-down's change must still be retried."""
    real = ContentGeneration.advance.__func__
    before = {}

    def advance(cls):
        real(cls)  # this update lands...
        if not before:
            before["number"] = ContentGeneration.current()
            refused = OperationalError("server closed the connection unexpectedly")
            with mock.patch.object(ContentGeneration, "advance", side_effect=refused):
                kept.advance_generation(announce_again=lambda: None)  # ...then another change's is refused

    with mock.patch.object(ContentGeneration, "advance", classmethod(advance)):
        assert kept._try_advance()
        assert kept.behind()
    assert wait_for(lambda: not kept.behind())
    assert ContentGeneration.current() > before["number"]


def test_load_content_fails_loudly_when_the_servers_cannot_be_told(monkeypatch, quick_retries):
    monkeypatch.setattr(kept, "RETRY_FOR_SECONDS", 0.3)
    with failing_first(10**6), pytest.raises(CommandError, match="the servers could not be told"):
        call_command("load_content", "--overwrite", verbosity=0)


def test_parts_kept_under_an_older_generation_are_dropped_not_left_to_fill_memory(client):
    store = caches["rendered"]
    html(client, COMPARE)
    html(client, THREE)
    entries = len(store._cache)
    for number in range(5):
        effect = SideEffect.objects.filter(treatment__slug="prp").order_by("pk").first()
        effect.name = f"Edited {number}."
        effect.save()
        html(client, COMPARE)
        html(client, THREE)
    assert len(store._cache) == entries


def test_the_generation_only_grows_even_when_a_servers_clock_is_behind():
    ContentGeneration.advance()
    now = ContentGeneration.current()
    with mock.patch("workflow.models.time.time_ns", return_value=now - 10**12):  # 1,000 s behind
        ContentGeneration.advance()
    assert ContentGeneration.current() == now + 1
