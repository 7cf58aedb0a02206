"""What patients see of reviewed changes: the note a clinical reviewer writes when approving a change, on
/changes/, in its Atom feed, and under "Recent changes" on the page the change was about (issue 9)."""

import datetime
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from http import HTTPStatus

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from comparisons.models import Comparison, FaqEntry
from pages.changes import PER_PAGE
from tests.factories import make_treatment
from treatments.models import Indication, Reference, Treatment
from workflow import moderation
from workflow.models import Revision, RevisionAction, RevisionState
from workflow.readability import readability

pytestmark = pytest.mark.django_db

COMPARE = "/compare/mesotherapy-vs-prp/"
ATOM = "{http://www.w3.org/2005/Atom}"
UTC = datetime.UTC


def when(day, hour=10):
    return datetime.datetime(2026, 11, day, hour, tzinfo=UTC)


def note(item, text, decided_at, *, state=RevisionState.APPROVED, action=RevisionAction.EDIT):
    """A change to `item` as the moderation workflow records it."""
    return Revision.objects.create(
        content_type=ContentType.objects.get_for_model(type(item)),
        object_id=item.pk,
        object_repr=str(item),
        version=item.version,
        action=action,
        state=state,
        decided_at=decided_at,
        change_note=text,
    )


def html(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == HTTPStatus.OK, url
    return response.content.decode()


def change_items(page):
    """(date shown, datetime attribute, note, link or None) for each change listed on a page, in order."""
    found = []
    for item in re.findall(r"<li[^>]*><p class=\"change-date\">(.*?)</li>", page, re.S):
        stamp = re.search(r'<time datetime="([^"]+)">([^<]+)</time>', item)
        text = re.search(r'<p class="change-note">([^<]*)</p>', item).group(1)
        link = re.search(r'<p class="change-about">[^<]*<a href="([^"]+)"', item)
        found.append((stamp.group(2), stamp.group(1), text, link.group(1) if link else None))
    return found


def notes_on(page):
    return [text for _, _, text, _ in change_items(page)]


def feed_entries(client):
    response = client.get("/changes/feed/")
    assert response.status_code == HTTPStatus.OK
    root = ET.fromstring(response.content)
    assert root.tag == f"{ATOM}feed"
    return [
        {
            "id": entry.findtext(f"{ATOM}id"),
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "updated": entry.findtext(f"{ATOM}updated"),
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


@pytest.fixture
def editor_user(django_user_model):
    return django_user_model.objects.create_user("writer", is_staff=True)


def propose_summary(item, summary, editor):
    data = moderation.snapshot(item)
    data["item"]["fields"]["summary"] = summary
    return moderation.propose(item, data, user=editor, expected_version=item.version)


# --- The change note, where patients read it -------------------------------------------------------


def test_an_approved_change_shows_its_note_and_date_at_once_though_pages_are_cached(
    client, reviewer, editor_user, django_assert_num_queries, django_capture_on_commit_callbacks
):
    prp = Treatment.objects.get(slug="prp")
    for url in (prp.get_absolute_url(), "/changes/", "/changes/feed/", "/"):
        client.get(url)
        with django_assert_num_queries(0):  # served from the page cache
            client.get(url)

    revision = propose_summary(prp, "A summary the editor rewrote.", editor_user)
    assert "Added how often redness" not in html(client, prp.get_absolute_url())  # pending: not shown
    with django_capture_on_commit_callbacks(execute=True):
        moderation.approve(revision, reviewer=reviewer, change_note="Added how often redness lasts more than a day.")

    revision.refresh_from_db()
    shown = f'<time datetime="{timezone.localdate(revision.decided_at):%Y-%m-%d}">'
    day = f"{timezone.localdate(revision.decided_at):%-d %B %Y}"
    for url in (prp.get_absolute_url(), "/changes/", "/"):
        page = html(client, url)
        assert "Added how often redness lasts more than a day." in page, url
        assert shown + day + "</time>" in page, url
    assert "A summary the editor rewrote." in html(client, prp.get_absolute_url())
    assert [e["title"] for e in feed_entries(client)] == ["Added how often redness lasts more than a day."]


def test_changes_page_lists_every_note_newest_first_with_its_date_and_a_link_to_the_item(client):
    prp = Treatment.objects.get(slug="prp")
    faq = FaqEntry.objects.published().first()
    reference = Reference.objects.published().first()
    concern = Indication.objects.get(slug="hair-loss")
    comparison = Comparison.objects.get(slug="mesotherapy-vs-prp")
    note(prp, "Added how often redness lasts more than a day.", when(1))
    note(faq, "Made the answer about pain clearer.", when(3))
    note(reference, "Corrected the year of this study.", when(2))
    note(concern, "Said who tends to get hair loss.", when(5))
    note(comparison, "Added a row on downtime.", when(4))

    page = html(client, "/changes/")
    assert change_items(page) == [
        ("5 November 2026", "2026-11-05", "Said who tends to get hair loss.", f"/#concern-{concern.slug}"),
        ("4 November 2026", "2026-11-04", "Added a row on downtime.", COMPARE),
        ("3 November 2026", "2026-11-03", "Made the answer about pain clearer.", f"/faq/#{faq.slug}"),
        ("2 November 2026", "2026-11-02", "Corrected the year of this study.", f"/references/#ref-{reference.key}"),
        ("1 November 2026", "2026-11-01", "Added how often redness lasts more than a day.", "/treatments/prp/"),
    ]
    assert "Treatment: <a" in page and "Question: <a" in page and "Source: <a" in page
    # every link lands on something that is there
    assert f'id="concern-{concern.slug}"' in html(client, "/")
    assert f'<details id="{faq.slug}"' in html(client, "/faq/")
    assert f'id="ref-{reference.key}"' in html(client, "/references/")


def test_each_page_shows_its_own_latest_three_notes_and_links_to_all_changes(client):
    prp = Treatment.objects.get(slug="prp")
    mesotherapy = Treatment.objects.get(slug="mesotherapy")
    for day in range(1, 6):
        note(prp, f"PRP change on day {day}.", when(day))
    note(mesotherapy, "Mesotherapy change.", when(7))
    note(FaqEntry.objects.published().first(), "A question changed.", when(8))
    note(Reference.objects.published().first(), "A source changed.", when(9))

    prp_page = html(client, "/treatments/prp/")
    assert notes_on(prp_page) == ["PRP change on day 5.", "PRP change on day 4.", "PRP change on day 3."]
    assert "Recent changes to this page" in prp_page and '<a href="/changes/">All changes</a>' in prp_page

    assert notes_on(html(client, "/treatments/mesotherapy/")) == ["Mesotherapy change."]
    assert notes_on(html(client, COMPARE)) == ["Mesotherapy change.", "PRP change on day 5.", "PRP change on day 4."]
    assert notes_on(html(client, "/faq/")) == ["A question changed."]
    assert notes_on(html(client, "/references/")) == ["A source changed."]
    home = html(client, "/")
    assert notes_on(home) == ["A source changed.", "A question changed.", "Mesotherapy change."]
    assert "Latest changes to this site" in home and '<a href="/changes/">All changes</a>' in home


def test_a_page_with_no_notes_has_no_recent_changes_box(client):
    assert "recent-changes" not in html(client, "/treatments/prp/")


def test_the_comparison_shows_notes_of_the_treatments_it_shows_only(client):
    other = make_treatment(name="Microneedling", short_name="Microneedling", slug="microneedling")
    note(other, "Added the microneedling page.", when(2))
    note(Comparison.objects.get(slug="mesotherapy-vs-prp"), "Reworded the key differences.", when(1))

    assert notes_on(html(client, COMPARE)) == ["Reworded the key differences."]
    chosen = html(client, COMPARE, concern="hair-loss", treatments=["prp", "microneedling"])
    assert notes_on(chosen) == ["Added the microneedling page.", "Reworded the key differences."]


def test_a_taken_down_or_deleted_items_note_is_shown_without_a_link(client, reviewer):
    prp = Treatment.objects.get(slug="prp")
    moderation.take_down(prp, reviewer=reviewer, change_note="Removed the PRP page while we check it.")
    faq = FaqEntry.objects.published().first()
    note(faq, "Removed a question that was out of date.", when(1), action=RevisionAction.DELETE)
    faq.delete()

    page = html(client, "/changes/")
    items = {text: link for _, _, text, link in change_items(page)}
    assert items == {"Removed the PRP page while we check it.": None, "Removed a question that was out of date.": None}
    assert 'PRP (platelet-rich plasma) <span class="hint">(no longer on this site)</span>' in page
    assert 'href="/treatments/prp/"' not in page
    links = {e["title"]: e["link"] for e in feed_entries(client)}
    assert links["Removed the PRP page while we check it."] == "http://testserver/changes/"
    assert links["Removed a question that was out of date."] == "http://testserver/changes/"


def test_a_taken_down_source_leaves_the_sources_list_and_its_note_is_not_linked(client, reviewer):
    reference = Reference.objects.published().first()
    moderation.take_down(reference, reviewer=reviewer, change_note="Removed a source we could not check.")
    sources = html(client, "/references/")
    assert f'id="ref-{reference.key}"' not in sources
    assert [(text, link) for _, _, text, link in change_items(sources)] == [
        ("Removed a source we could not check.", None)
    ]
    # the list is numbered as citations are: published sources only
    numbers = Reference.objects.citation_numbers()
    listed = re.findall(r'<li id="ref-([\w-]+)" value="(\d+)">', sources)
    assert listed and all(numbers[Reference.objects.get(key=key).pk] == int(n) for key, n in listed)


def test_a_newly_published_item_links_to_its_page(client, reviewer):
    draft = make_treatment(name="Microneedling", short_name="Microneedling", slug="microneedling", status="draft")
    moderation.publish(draft, reviewer=reviewer, change_note="Added a page on microneedling.", expected_version=1)
    assert change_items(html(client, "/changes/"))[0][2:] == (
        "Added a page on microneedling.",
        "/treatments/microneedling/",
    )
    assert notes_on(html(client, "/treatments/microneedling/")) == ["Added a page on microneedling."]


@pytest.mark.parametrize(
    "state",
    [
        RevisionState.PENDING,
        RevisionState.SENT_BACK,
        RevisionState.SAVED,
        RevisionState.SUPERSEDED,
        RevisionState.WITHDRAWN,
        RevisionState.BASELINE,
    ],
)
def test_changes_not_approved_never_show(client, state):
    prp = Treatment.objects.get(slug="prp")
    note(prp, "A note nobody approved.", when(1), state=state)
    for url in ("/changes/", "/treatments/prp/", COMPARE, "/"):
        assert "A note nobody approved." not in html(client, url), url
    assert feed_entries(client) == []


def test_a_sent_back_change_never_shows_even_after_review(client, reviewer, editor_user):
    prp = Treatment.objects.get(slug="prp")
    revision = propose_summary(prp, "An edit the reviewer sent back.", editor_user)
    moderation.send_back(revision, reviewer=reviewer, comment="Please cite a source.")
    note(prp, "", when(2))  # approved, but with no note for patients
    for url in ("/changes/", "/treatments/prp/"):
        page = html(client, url)
        assert "Please cite a source." not in page and "An edit the reviewer sent back." not in page
        assert notes_on(page) == []


# --- /changes/ itself --------------------------------------------------------------------------------


def test_changes_page_explains_itself_plainly_and_says_when_there_are_none(client):
    Revision.objects.filter(state=RevisionState.APPROVED).delete()
    page = html(client, "/changes/")
    assert "There are no notes yet." in page
    intro = re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1)
    assert "clinical reviewer checks every change" in intro and "before patients see it" in intro
    assert len(re.findall(r"[.!?](\s|$)", intro)) <= 3
    assert readability(intro).smog <= 9
    assert '<link rel="alternate" type="application/atom+xml"' in page and 'href="/changes/feed/"' in page


def test_changes_page_is_paginated_at_fifty(client):
    prp = Treatment.objects.get(slug="prp")
    start = datetime.datetime(2026, 1, 1, tzinfo=UTC)
    Revision.objects.bulk_create(
        Revision(
            content_type=ContentType.objects.get_for_model(Treatment),
            object_id=prp.pk,
            object_repr=str(prp),
            version=1,
            state=RevisionState.APPROVED,
            decided_at=start + datetime.timedelta(days=n),
            change_note=f"Change number {n}.",
        )
        for n in range(PER_PAGE + 1)
    )
    first = html(client, "/changes/")
    assert len(change_items(first)) == PER_PAGE
    assert notes_on(first)[0] == f"Change number {PER_PAGE}."
    assert 'rel="next" href="?page=2">Older changes' in first and "Page 1 of 2" in first
    second = html(client, "/changes/", page=2)
    assert notes_on(second) == ["Change number 0."]
    assert 'rel="prev" href="/changes/">Newer changes' in second
    assert '<link rel="canonical" href="http://testserver/changes/?page=2">' in second
    assert '<link rel="canonical" href="http://testserver/changes/">' in html(client, "/changes/", page=1)


@pytest.mark.parametrize("page", ["abc", "999", "0", "-1", "1.5", "%00", "9" * 5000, ""])
def test_a_bad_page_number_is_not_found_never_a_server_error(client, page):
    note(Treatment.objects.get(slug="prp"), "A change.", when(1))
    response = client.get(f"/changes/?page={page}")
    if page == "":
        assert response.status_code == HTTPStatus.OK
    else:
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert "Page not found" in response.content.decode()


# --- The Atom feed -----------------------------------------------------------------------------------


def test_feed_is_valid_atom_with_the_newest_thirty_notes(client):
    prp = Treatment.objects.get(slug="prp")
    for day in range(1, 32):
        note(prp, f"Change on {day} December.", datetime.datetime(2026, 12, day, 9, tzinfo=UTC))
    taken = Reference.objects.published().first()
    note(taken, "A source we took down.", datetime.datetime(2026, 12, 31, 8, tzinfo=UTC))
    taken.status = "draft"
    taken.save()

    response = client.get("/changes/feed/")
    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    root = ET.fromstring(response.content)
    assert root.findtext(f"{ATOM}title") and root.findtext(f"{ATOM}id") and root.findtext(f"{ATOM}updated")
    assert root.find(f"{ATOM}author/{ATOM}name").text
    entries = feed_entries(client)
    assert len(entries) == 30
    assert entries[0] == {
        "id": entries[0]["id"],
        "title": "Change on 31 December.",
        "link": "http://testserver/treatments/prp/",
        "updated": "2026-12-31T09:00:00+00:00",
    }
    assert entries[1]["title"] == "A source we took down." and entries[1]["link"] == "http://testserver/changes/"
    assert [e["title"] for e in entries[2:4]] == ["Change on 30 December.", "Change on 29 December."]
    ids = [e["id"] for e in entries]
    assert len(set(ids)) == 30 and all(i.startswith("tag:testserver,2026-12-") for i in ids)
    assert feed_entries(client) == entries  # the same ids on every fetch


def test_feed_answers_get_and_head_with_the_atom_content_type_and_nothing_else(client):
    for method in (client.get, client.head):
        response = method("/changes/feed/")
        assert response.status_code == HTTPStatus.OK
        assert response["Content-Type"].startswith("application/atom+xml")
    assert client.post("/changes/feed/").status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert client.post("/changes/").status_code == HTTPStatus.METHOD_NOT_ALLOWED


# --- Valid, accessible pages, with a fixed number of queries ----------------------------------------


class Outline(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids, self.headings, self.times = [], [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "time":
            self.times.append(attrs.get("datetime"))


def subjects():
    return {
        "treatment": Treatment.objects.get(slug="prp"),
        "comparison": Comparison.objects.get(slug="mesotherapy-vs-prp"),
        "question": FaqEntry.objects.published().first(),
        "source": Reference.objects.published().first(),
        "concern": Indication.objects.get(slug="hair-loss"),
    }


def add_notes(count, kinds=None):
    """`count` notes about each kind of item (or those named), so pages have some to show."""
    for kind, item in subjects().items():
        if kinds is None or kind in kinds:
            for n in range(count):
                note(item, f"Note {n} about the {kind}.", timezone.now() - datetime.timedelta(hours=n))


# Each page, and a kind of item whose notes it shows.
PAGES = {
    "/": "concern",
    COMPARE: "comparison",
    "/treatments/prp/": "treatment",
    "/faq/": "question",
    "/references/": "source",
    "/changes/": "treatment",
    "/changes/feed/": "treatment",
}


@pytest.mark.parametrize(("url", "kind"), PAGES.items())
def test_query_count_is_the_same_with_one_note_or_ten(client, url, kind, django_assert_max_num_queries):
    add_notes(1, kinds=[kind])
    with CaptureQueriesContext(connection) as one:
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    if url != "/changes/feed/":
        assert len(change_items(response.content.decode())) == 1
    add_notes(9, kinds=[kind])
    add_notes(10)
    cache.clear()  # adding Revision rows directly does not touch the page cache
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    if url != "/changes/feed/":
        assert len(change_items(response.content.decode())) == (PER_PAGE if url == "/changes/" else 3)


@pytest.mark.parametrize("url", [*[u for u in PAGES if u != "/changes/feed/"], "/treatments/mesotherapy/"])
def test_pages_with_notes_have_one_h1_headings_in_order_unique_ids_and_machine_readable_dates(client, url):
    add_notes(4)
    page = html(client, url)
    outline = Outline()
    outline.feed(page)
    assert outline.headings.count(1) == 1 and outline.headings[0] == 1
    assert all(b <= a + 1 for a, b in zip(outline.headings, outline.headings[1:], strict=False)), outline.headings
    assert len(outline.ids) == len(set(outline.ids)), [i for i in outline.ids if outline.ids.count(i) > 1]
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", stamp or "") for stamp in outline.times)
    assert "style=" not in page


def test_every_page_links_to_what_has_changed_and_the_sitemap_lists_it(client):
    for url in ("/", "/about/", "/changes/"):
        assert '<a href="/changes/">What has changed</a>' in html(client, url)
    assert "http://testserver/changes/</loc>" in html(client, "/sitemap.xml")
