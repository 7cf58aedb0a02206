"""Staying safe, in one place (issue 11, item 4): one page on checking a practitioner, licensing,
complaints, the Yellow Card scheme, urgent signs and hair loss to show a GP, every fact linked to a
source named in the research brief, linked from every comparison and treatment page."""

import re
from html.parser import HTMLParser
from http import HTTPStatus
from pathlib import Path

import pytest
from django.urls import reverse

from comparisons.models import Comparison
from treatments.models import Treatment
from workflow.readability import SMOG_TARGET, readability

pytestmark = pytest.mark.django_db

URL = "/staying-safe/"
BRIEF = Path(__file__).resolve().parents[3] / "shared" / "research" / "alternatives-and-safety.md"


class Page(HTMLParser):
    """The links, headings and text inside <main>, one block of text per element."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "dt", "dd"}

    def __init__(self):
        super().__init__()
        self.in_main = False
        self.links, self.headings, self.blocks = [], [], []
        self.link = None
        self.block = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        if not self.in_main:
            return
        if tag == "a":
            self.link = [attrs.get("href", ""), ""]
        if tag in self.BLOCKS:
            self.block = [tag, ""]
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        if tag == "a" and self.link:
            self.links.append(tuple(text.strip() for text in self.link))
            self.link = None
        if tag in self.BLOCKS and self.block and self.block[0] == tag:
            self.blocks.append(" ".join(self.block[1].split()))
            self.block = None

    def handle_data(self, data):
        if self.link:
            self.link[1] += data
        if self.block:
            self.block[1] += data

    @property
    def text(self):
        return "\n".join(self.blocks)


def parse(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, url
    page = Page()
    page.feed(response.content.decode())
    return page


def brief_urls():
    """Every web address written in the research brief, trailing punctuation removed."""
    text = BRIEF.read_text(encoding="utf-8")
    return {url.rstrip(".,;:)|*`") for url in re.findall(r"https?://[^\s<>|)\]`*]+", text)}


@pytest.fixture(scope="module")
def sources():
    if not BRIEF.exists():
        pytest.skip(f"the research brief is not at {BRIEF}")
    urls = brief_urls()
    assert len(urls) > 100  # the parser found the brief's source list, not a handful of stray links
    return urls


def test_the_page_answers_get_and_head(client):
    assert reverse("pages:staying_safe") == URL
    assert client.get(URL).status_code == HTTPStatus.OK
    head = client.head(URL)
    assert head.status_code == HTTPStatus.OK and head.content == b""
    assert client.post(URL).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def test_it_covers_every_topic_the_issue_asks_for(client):
    text = parse(client, URL).text
    for register in ("GMC", "NMC", "GDC", "GPhC", "JCCP", "Save Face", "Accredited Register"):
        assert register in text, register
    assert "does not need a licence" in text
    assert "complain" in text.lower() and "ISCAS" in text
    assert "Yellow Card" in text and "MHRA" in text
    assert "Call 999" in text and "NHS 111" in text
    assert "see a GP" in text.lower() or "See a GP" in text
    for sign in ("sudden", "bald patches", "clumps", "itches and burns"):
        assert sign in text, sign


def test_where_the_brief_is_unsure_the_page_says_so(client):
    text = parse(client, URL).text
    assert "this may change" in text  # no licence scheme found, but only copies up to August 2025 were read
    assert "copies of the NHS hair loss page" in text  # the "See a GP if" list is from copies
    assert "could not check that the NHS still says this" in text  # cellulitis face/eye advice, a copy


def test_it_never_claims_the_site_is_independent(client):
    text = parse(client, URL).text.lower()
    assert "independent" not in text and "no clinic" not in text


def test_every_external_link_is_a_source_named_in_the_brief(client, sources):
    links = parse(client, URL).links
    external = [href for href, _ in links if not href.startswith(("/", "#"))]
    assert len(external) >= 15
    invented = [href for href in external if href not in sources]
    assert invented == [], invented


def test_each_section_shows_its_sources_with_link_text_that_makes_sense_alone(client):
    response = client.get(URL)
    main = response.content.decode().split('<main id="main"', 1)[1].split("</main>", 1)[0]
    sections = re.split(r"<h2 ", main)[1:]
    assert len(sections) == 6
    for section in sections:
        assert re.search(r'<p class="ref-meta">Sources?: <a href="', section), section[:80]
    for href, text in parse(client, URL).links:
        assert len(text.split()) >= 2 or text in {"JCCP"}, (href, text)
        assert text.lower() not in {"here", "click here", "this page", "link", "more"}, href


def test_internal_links_land_on_pages_and_anchors_that_exist(client):
    page = parse(client, URL)
    ids_here = set(re.findall(r'id="([^"]+)"', client.get(URL).content.decode()))
    for href, _ in page.links:
        if href.startswith("#"):
            assert href[1:] in ids_here, href
        elif href.startswith("/") and "#" in href:
            path, anchor = href.split("#", 1)
            assert f'id="{anchor}"' in client.get(path).content.decode(), href


def test_headings_are_in_order_and_lists_are_lists(client):
    page = parse(client, URL)
    assert page.headings.count(1) == 1 and page.headings[0] == 1
    assert all(b <= a + 1 for a, b in zip(page.headings, page.headings[1:], strict=False)), page.headings
    html = client.get(URL).content.decode()
    assert "style=" not in html and "<script" not in html.split("</head>", 1)[1]


def test_it_reads_at_smog_9_or_below_in_paragraphs_of_three_sentences_at_most(client):
    page = parse(client, URL)
    score = readability(page.text)
    assert score.reliable
    assert score.smog <= SMOG_TARGET, score
    for block in page.blocks:
        assert len(re.findall(r"[.!?](?:\s|$)", block)) <= 3, block


def test_it_is_linked_from_the_comparison_and_every_treatment_page(client):
    comparison = Comparison.objects.published().first()
    pages = [comparison.get_absolute_url(), *(t.get_absolute_url() for t in Treatment.objects.published())]
    assert len(pages) >= 3
    for url in pages:
        hrefs = [href for href, _ in parse(client, url).links]
        assert URL in hrefs, url


def test_the_main_navigation_links_to_it_and_marks_it_current_here(client):
    html = client.get(URL).content.decode()
    assert f'<a href="{URL}" aria-current="page">Staying safe</a>' in html
    assert f'<a href="{URL}">Staying safe</a>' in client.get("/about/").content.decode()


def test_it_is_in_the_sitemap(client):
    assert f"http://testserver{URL}</loc>" in client.get("/sitemap.xml").content.decode()


def test_it_needs_no_queries_of_its_own(client, django_assert_max_num_queries):
    client.get(URL)  # warm anything lazily loaded
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(0):
        assert client.get(URL).status_code == HTTPStatus.OK
