"""Attacks on the parts kept per content generation (workflow/kept.py): every real way staff change content,
staff previews, and hostile visitors. What is checked is what a patient would notice: stale or unapproved
text, a taken-down option, a citation number that no longer matches the reference list, someone else's page,
a 500, or a store that grows with junk.

Committed transactions, as the site runs (inside a test's transaction nothing is kept), with the page cache
off unless a test switches it on."""

import re
import threading
import time
from http import HTTPStatus
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comparisons import tables
from comparisons.models import Comparison, ComparisonPoint
from tests.admin_forms import admin_url, change_form_data
from tests.test_kept import COMPARE, THREE, content  # noqa: F401 (content: the autouse fixture)
from treatments.models import Indication, Reference, SideEffect, Treatment
from workflow.models import Revision, RevisionState

pytestmark = pytest.mark.django_db(transaction=True)

FRAGMENT = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def reviewer_client(reviewer):
    other = Client()
    other.force_login(reviewer)
    return other


def get(client, url, status=HTTPStatus.OK, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def concerns():
    return list(Indication.objects.published().values_list("slug", flat=True))


def patient_pages():
    """Every address a patient may reach the comparison by, plus the treatment page of PRP."""
    urls = [COMPARE, THREE, *(f"{COMPARE}?concern={slug}" for slug in concerns())]
    return urls


def everything_a_patient_sees(client=None):
    client = client or Client()
    pages = {url: get(client, url) for url in patient_pages()}
    pages["fragment"] = get(client, THREE, **FRAGMENT)
    pages["treatment"] = get(client, "/treatments/prp/")
    return pages


def assert_kept_pages_are_what_a_fresh_render_shows():
    """The strongest check: with everything kept, each page is exactly what it is with nothing kept."""
    kept = everything_a_patient_sees()
    caches["rendered"].clear()
    fresh = everything_a_patient_sees()
    for where in fresh:
        assert kept[where] == fresh[where], where


def warm():
    everything_a_patient_sees()  # every column, choice list, About part and points are now kept


def edit(client, obj, change=None, **fields):
    url = admin_url(type(obj), "change", obj.pk)
    data = change_form_data(client, url)
    data.update(fields)
    if change:
        change(data)
    response = client.post(url, data)
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:3000]


def pending_for(obj):
    return Revision.objects.for_item(obj).get(state=RevisionState.PENDING)


def approve(client, revision, note="Reworded for patients."):
    data = {"_approve": "1", "change_note": note, "reviewed_by": "Dr A Patel, dermatologist"}
    data["next_review_due"] = timezone.localdate().replace(year=timezone.localdate().year + 1).isoformat()
    response = client.post(reverse("admin:workflow_revision_change", args=[revision.pk]), data)
    assert response.status_code == HTTPStatus.FOUND


def rename_first_side_effect(name):
    def change(data):
        data["side_effects-0-name"] = name

    return change


def first_side_effect_of(slug):
    treatment = Treatment.objects.get(slug=slug)
    return treatment, SideEffect.objects.filter(treatment=treatment).order_by("sort_order", "pk").first()


# --- Editors and reviewers, through admin -------------------------------------------------------------------


def test_an_inline_edit_is_not_seen_until_approved_then_seen_on_every_page(editor_client, reviewer_client):
    warm()
    prp = Treatment.objects.get(slug="prp")
    edit(editor_client, prp, change=rename_first_side_effect("Unreviewed redness wording"))
    for where, html in everything_a_patient_sees().items():
        assert "Unreviewed redness wording" not in html, where

    approve(reviewer_client, pending_for(prp))
    pages = everything_a_patient_sees()
    for where in (COMPARE, THREE, "fragment", "treatment"):
        assert "Unreviewed redness wording" in pages[where], where


def test_a_sent_back_change_never_reaches_patients(editor_client, reviewer_client):
    warm()
    prp = Treatment.objects.get(slug="prp")
    edit(editor_client, prp, change=rename_first_side_effect("Sent back wording"))
    url = reverse("admin:workflow_revision_change", args=[pending_for(prp).pk])
    assert reviewer_client.post(url, {"_send_back": "1", "comment": "Cite it."}).status_code == HTTPStatus.FOUND
    for where, html in everything_a_patient_sees().items():
        assert "Sent back wording" not in html, where


def column_heads(html):
    return re.findall(r'<th scope="col"><a href="[^"]*">([^<]*)</a></th>', html)


def test_a_taken_down_option_leaves_every_kept_comparison_at_once_and_comes_back_when_published(reviewer_client):
    warm()
    minoxidil = Treatment.objects.get(slug="minoxidil")
    assert minoxidil.short_name in column_heads(get(Client(), THREE))
    response = reviewer_client.post(admin_url(Treatment, "take_down", minoxidil.pk), {"change_note": "Checking it."})
    assert response.status_code == HTTPStatus.FOUND

    patient = Client()
    get(patient, THREE, status=HTTPStatus.NOT_FOUND)  # it is no longer an option to ask for
    get(patient, THREE, status=HTTPStatus.NOT_FOUND, **FRAGMENT)
    for url in [COMPARE, *(f"{COMPARE}?concern={slug}" for slug in concerns())]:
        html = get(patient, url)
        assert minoxidil.short_name not in column_heads(html), url
        assert 'value="minoxidil"' not in html, url  # nor a box to tick
    get(patient, "/treatments/minoxidil/", status=HTTPStatus.NOT_FOUND)

    version = Treatment.objects.get(pk=minoxidil.pk).version
    data = {"change_note": "Back after checking.", "reviewed_by": "Dr A Patel", "version": version}
    data["next_review_due"] = "2099-01-01"
    assert reviewer_client.post(admin_url(Treatment, "publish", minoxidil.pk), data).status_code == HTTPStatus.FOUND
    assert minoxidil.short_name in column_heads(get(patient, THREE))


def citation_numbers_shown(html):
    """(reference key, number) for every citation link on a page."""
    return set(
        re.findall(r'href="[^"]*#ref-([\w-]+)"[^>]*><span class="visually-hidden">Source </span>\[(\d+)\]', html)
    )


def reference_list_numbers():
    html = get(Client(), reverse("pages:references"))
    return {key: str(n) for n, key in enumerate(re.findall(r'<li id="ref-([\w-]+)"', html), 1)}


def assert_citations_match_the_reference_list(pages):
    numbers = reference_list_numbers()
    for where, html in pages.items():
        shown = citation_numbers_shown(html)
        assert shown, where
        wrong = {(key, number) for key, number in shown if numbers.get(key) != number}
        assert not wrong, (where, sorted(wrong)[:5])


def test_taking_down_the_first_source_renumbers_every_kept_citation(reviewer_client):
    pages = everything_a_patient_sees()
    assert_citations_match_the_reference_list(pages)
    first = Reference.objects.published().order_by("year", "key").first()
    response = reviewer_client.post(admin_url(Reference, "take_down", first.pk), {"change_note": "Withdrawn paper."})
    assert response.status_code == HTTPStatus.FOUND
    pages = everything_a_patient_sees()
    assert_citations_match_the_reference_list(pages)
    for where, html in pages.items():
        assert f"#ref-{first.key}" not in html, where


def test_an_approved_change_to_a_concern_shows_in_its_about_parts_and_the_htmx_swap(editor_client, reviewer_client):
    warm()
    hair_loss = Indication.objects.get(slug="hair-loss")
    field = "what_it_is"
    edit(editor_client, hair_loss, **{field: "Reviewed text about hair loss."})
    assert "Reviewed text about hair loss." not in get(Client(), THREE)
    approve(reviewer_client, pending_for(hair_loss))
    assert "Reviewed text about hair loss." in get(Client(), THREE)
    assert "Reviewed text about hair loss." in get(Client(), THREE, **FRAGMENT)


def test_an_approved_comparison_point_shows_at_once(editor_client, reviewer_client):
    warm()
    comparison = Comparison.objects.get(slug="mesotherapy-vs-prp")
    point = ComparisonPoint.objects.filter(comparison=comparison).order_by("pk").first()
    url = admin_url(Comparison, "change", comparison.pk)
    data = change_form_data(editor_client, url)
    index = next(k.split("-")[1] for k, v in data.items() if k.endswith("-id") and str(v) == str(point.pk))
    prefix = next(k.rsplit("-", 2)[0] for k, v in data.items() if k.endswith("-id") and str(v) == str(point.pk))
    text_field = next(f for f in ("body",) if f"{prefix}-{index}-{f}" in data)
    data[f"{prefix}-{index}-{text_field}"] = "A key difference a reviewer approved."
    assert editor_client.post(url, data).status_code == HTTPStatus.FOUND
    assert "A key difference a reviewer approved." not in get(Client(), COMPARE)
    approve(reviewer_client, pending_for(comparison))
    assert "A key difference a reviewer approved." in get(Client(), COMPARE)


def test_restoring_an_old_version_brings_its_text_back_on_the_kept_comparison(editor_client, reviewer_client):
    prp, effect = first_side_effect_of("prp")
    original = effect.name
    edit(editor_client, prp, change=rename_first_side_effect("Wording we later undo"))
    approve(reviewer_client, pending_for(prp))
    assert "Wording we later undo" in get(Client(), COMPARE)
    warm()

    baseline = Revision.objects.for_item(prp).get(state=RevisionState.BASELINE)
    versions = admin_url(Treatment, "versions", prp.pk)
    live = Treatment.objects.get(pk=prp.pk)
    response = editor_client.post(versions, {"revision": baseline.pk, "version": live.version})
    assert response.status_code == HTTPStatus.FOUND
    assert "Wording we later undo" in get(Client(), COMPARE)  # the restore waits for review
    approve(reviewer_client, pending_for(prp), note="Put back the old wording.")
    html = get(Client(), COMPARE)
    assert "Wording we later undo" not in html and original in html


def test_an_approved_deletion_of_a_side_effect_removes_it_from_every_kept_page(editor_client, reviewer_client):
    warm()
    prp, effect = first_side_effect_of("prp")
    assert effect.name in get(Client(), THREE)

    def delete_first(data):
        data["side_effects-0-DELETE"] = "on"

    edit(editor_client, prp, change=delete_first)
    assert effect.name in get(Client(), THREE)  # waits for review
    approve(reviewer_client, pending_for(prp), note="Removed a side effect.")
    assert not SideEffect.objects.filter(pk=effect.pk).exists()
    assert_kept_pages_are_what_a_fresh_render_shows()


def test_load_content_overwrite_replaces_what_was_kept():
    prp, effect = first_side_effect_of("prp")
    original = effect.name
    effect.name = "Edited outside the fixtures"
    effect.save()
    assert "Edited outside the fixtures" in get(Client(), COMPARE)
    warm()
    effect.name = original  # as an editor would, so the fixture row (named by its natural key) is this row
    effect.save()
    warm()
    SideEffect.objects.filter(pk=effect.pk).update(duration="Edited without a signal")
    call_command("load_content", "--overwrite", verbosity=0)
    assert "Edited without a signal" not in get(Client(), COMPARE)
    assert_kept_pages_are_what_a_fresh_render_shows()


def test_with_the_page_cache_on_an_approval_reaches_the_cached_pages_too(settings, editor_client, reviewer_client):
    settings.PAGE_CACHE_SECONDS = 600
    warm()
    warm()  # now stored as whole pages as well
    prp = Treatment.objects.get(slug="prp")
    edit(editor_client, prp, change=rename_first_side_effect("Cached pages see this"))
    for where, html in everything_a_patient_sees().items():
        assert "Cached pages see this" not in html, where
    approve(reviewer_client, pending_for(prp))
    pages = everything_a_patient_sees()
    for where in (COMPARE, THREE, "fragment", "treatment"):
        assert "Cached pages see this" in pages[where], where


# --- Staff previews -----------------------------------------------------------------------------------------


def test_a_preview_of_a_pending_change_never_leaks_to_patients_even_on_an_empty_store(editor_client):
    prp = Treatment.objects.get(slug="prp")
    edit(editor_client, prp, change=rename_first_side_effect("Only reviewers should see this"))
    caches["rendered"].clear()  # the preview is the first to render anything
    token = f"preview=treatments.treatment:{prp.pk}"
    for url in (f"{COMPARE}?{token}", f"{THREE}&{token}"):
        assert "Only reviewers should see this" in get(editor_client, url)
        assert "Only reviewers should see this" in get(editor_client, url, **FRAGMENT)
    for where, html in everything_a_patient_sees().items():
        assert "Only reviewers should see this" not in html, where
    for where, html in everything_a_patient_sees(editor_client).items():  # staff, not previewing
        assert "Only reviewers should see this" not in html, where


def test_two_editors_previewing_their_own_pending_changes_see_only_their_own(editor_client, django_user_model):
    other = django_user_model.objects.create_user("editor2", password="x", is_staff=True)
    other.groups.add(Group.objects.get(name="Content editors"))
    second = Client()
    second.force_login(other)
    prp, meso = Treatment.objects.get(slug="prp"), Treatment.objects.get(slug="mesotherapy")
    edit(editor_client, prp, change=rename_first_side_effect("First editor wording"))
    edit(second, meso, change=rename_first_side_effect("Second editor wording"))
    warm()
    first_view = get(editor_client, f"{COMPARE}?preview=treatments.treatment:{prp.pk}")
    second_view = get(second, f"{COMPARE}?preview=treatments.treatment:{meso.pk}")
    assert "First editor wording" in first_view and "Second editor wording" not in first_view
    assert "Second editor wording" in second_view and "First editor wording" not in second_view
    patient = get(Client(), COMPARE)
    assert "First editor wording" not in patient and "Second editor wording" not in patient


def test_a_patient_sending_a_preview_parameter_gets_the_published_page():
    prp = Treatment.objects.get(slug="prp")
    SideEffect.objects.filter(pk=first_side_effect_of("prp")[1].pk).update(name="Not via a signal")
    html = get(Client(), f"{COMPARE}?preview=treatments.treatment:{prp.pk}")
    assert "preview-banner" not in html and "A change awaiting review" not in html


# --- Hostile visitors ---------------------------------------------------------------------------------------


def kept_entries():
    return len(caches["rendered"]._cache)


def test_junk_query_strings_unknown_slugs_and_headers_do_not_grow_the_store_or_fail():
    warm()
    before = kept_entries()
    client = Client()
    for n in range(60):
        get(client, f"{COMPARE}?utm_source={n}&fbclid=x{n}")
        get(client, f"{THREE}&junk={n}", **FRAGMENT)
        get(client, f"/compare/no-such-comparison-{n}/", status=HTTPStatus.NOT_FOUND)
        get(client, f"{COMPARE}?concern=no-such-{n}", status=HTTPStatus.NOT_FOUND)
        get(client, f"{COMPARE}?concern=hair-loss&treatments=prp&treatments=x{n}", status=HTTPStatus.NOT_FOUND)
        get(client, f"{COMPARE}?concern=hair-loss&treatments=PRP&treatments=mesotherapy", status=HTTPStatus.NOT_FOUND)
        get(client, f"{COMPARE}?concern=hair-loss%00{n}", status=HTTPStatus.NOT_FOUND)
        get(client, THREE, HTTP_HOST=f"localhost:{8000 + n}")
    assert kept_entries() == before


def test_every_choice_of_options_keeps_a_bounded_number_of_parts_and_the_columns_stay(settings):
    slugs = list(Treatment.objects.published().values_list("slug", flat=True))
    client = Client()
    get(client, COMPARE)
    deadline = time.monotonic() + 60
    for mask in range(3, 2 ** len(slugs)):
        chosen = [slug for bit, slug in enumerate(slugs) if mask >> bit & 1]
        if len(chosen) < 2:
            continue
        query = "&".join(f"treatments={slug}" for slug in chosen)
        get(client, f"{COMPARE}?concern=hair-loss&{query}", **FRAGMENT)
        if time.monotonic() > deadline:
            break
    assert kept_entries() <= settings.CACHES["rendered"]["OPTIONS"]["MAX_ENTRIES"]
    with mock.patch.object(tables, "render_to_string", wraps=tables.render_to_string) as render:
        get(client, COMPARE)
    assert render.call_count == 0  # the flood did not push the default page's columns out


def wsgi_get(url, script_name="", **headers):
    """Through Django's WSGI handler, as gunicorn calls it (the test client does not set the script prefix)."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.test import RequestFactory
    from django.urls import get_script_prefix, set_script_prefix

    path, _, query = url.partition("?")
    environ = RequestFactory()._base_environ(PATH_INFO=path, QUERY_STRING=query, SCRIPT_NAME=script_name, **headers)
    answer = {}
    prefix = get_script_prefix()
    try:
        body = b"".join(WSGIHandler()(environ, lambda status, headers, exc_info=None: answer.setdefault("s", status)))
    finally:
        # The handler sets this thread's prefix and leaves it set; later tests in this thread reverse URLs.
        set_script_prefix(prefix)
    assert answer["s"].startswith("200"), answer["s"]
    return body.decode()


def test_a_page_under_another_script_prefix_is_not_served_to_visitors_without_it():
    prefixed = wsgi_get(THREE, script_name="/clinic")
    assert 'href="/clinic/treatments/prp/"' in prefixed
    assert 'href="/clinic/references/#ref-' in prefixed  # citations in the kept columns
    plain = wsgi_get(THREE)
    assert "/clinic/" not in plain
    assert 'href="/treatments/prp/"' in plain
    assert "/clinic/" not in wsgi_get(THREE, HTTP_HX_REQUEST="true")
    assert "/other/" not in wsgi_get(THREE, script_name="/clinic").replace("/clinic/", "")


def test_the_fragment_and_the_whole_page_never_stand_in_for_each_other():
    fragment = get(Client(), THREE, **FRAGMENT)
    page = get(Client(), THREE)
    again = get(Client(), THREE, **FRAGMENT)
    assert "<html" not in fragment and "<html" not in again and "<html" in page
    restore = get(Client(), THREE, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore


def test_a_bad_host_is_refused_not_kept_or_a_500():
    warm()
    before = kept_entries()
    response = Client().get(THREE, HTTP_HOST="evil.example")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "evil.example" not in get(Client(), THREE)
    assert kept_entries() == before


# --- The choosing form -------------------------------------------------------------------------------------


def test_one_option_gets_the_message_with_its_box_ticked_with_and_without_htmx():
    warm()
    one = f"{COMPARE}?concern=hair-loss&treatments=prp"
    page = get(Client(), one, status=HTTPStatus.BAD_REQUEST)
    assert "Choose at least two treatments to compare." in page
    assert re.search(r'value="prp"[^>]*checked', page)
    assert not re.search(r'value="mesotherapy"[^>]*checked', page)
    response = Client().get(one, **FRAGMENT)
    assert response.status_code == HTTPStatus.OK and response["HX-Reswap"] == "none"
    assert "Choose at least two treatments to compare." in response.content.decode()
    assert "<table" not in response.content.decode()
    none_ticked = get(Client(), f"{COMPARE}?concern=hair-loss&treatments=", status=HTTPStatus.BAD_REQUEST)
    assert "Choose at least two treatments to compare." in none_ticked
    # a good choice right after is still the good page, not the kept message
    assert "Choose at least two" not in get(Client(), THREE)


# --- Two servers at once, real threads on PostgreSQL ------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent connections")
def test_patients_reading_while_reviewers_approve_never_keep_old_text_after_the_last_commit():
    prp, effect = first_side_effect_of("prp")
    stop = threading.Event()
    errors = []

    def patient():
        client = Client()
        try:
            while not stop.is_set():
                for url in (COMPARE, THREE):
                    response = client.get(url)
                    if response.status_code != HTTPStatus.OK:
                        errors.append((url, response.status_code))
        except Exception as error:  # noqa: BLE001
            errors.append(repr(error))
        finally:
            connection.close()

    readers = [threading.Thread(target=patient) for _ in range(3)]
    for reader in readers:
        reader.start()
    try:
        deadline = time.monotonic() + 8
        n = 0
        while time.monotonic() < deadline:
            n += 1
            row = SideEffect.objects.get(pk=effect.pk)
            row.name = f"Wording number {n}"
            row.save()
            time.sleep(0.05)
            for url in (COMPARE, THREE):
                assert f"Wording number {n}" in get(Client(), url)
    finally:
        stop.set()
        for reader in readers:
            reader.join(timeout=30)
    assert not errors, errors[:5]
    time.sleep(0.2)
    for url in (COMPARE, THREE):
        assert f"Wording number {n}" in get(Client(), url)
        assert f"Wording number {n - 1}<" not in get(Client(), url)
