"""Fast without the page cache (issue 11 item 5): what each uncached comparison request no longer repeats.

- Markdown is rendered once per text, not on every request, and an edit shows at once (the text is the key).
- Citations and icon arrays are drawn by template tags, not included templates.
- The sources behind the table are fetched with only what a citation shows.
- The number of queries stays the same as options are added to the comparison.
- The page is byte for byte what it was without these shortcuts.
"""

import re
from http import HTTPStatus
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from comparisons.models import Comparison, ComparisonPoint
from tests.factories import make_treatment, make_treatment_indication
from tests.icons import filled_first
from treatments import numbers, rich_text
from treatments.models import CITED_FIELDS, Reference, Treatment

pytestmark = pytest.mark.django_db

COMPARE = "/compare/mesotherapy-vs-prp/"


def compare_url(slugs, concern="hair-loss"):
    return f"{COMPARE}?concern={concern}" + "".join(f"&treatments={slug}" for slug in slugs)


@pytest.fixture(autouse=True)
def uncached_pages(settings):
    settings.PAGE_CACHE_SECONDS = 0
    rich_text._render.cache_clear()
    yield
    rich_text._render.cache_clear()


def test_markdown_is_rendered_once_per_text_not_on_every_request(client):
    with mock.patch.object(rich_text, "_markdown", wraps=rich_text._markdown) as markdown:
        assert client.get(COMPARE).status_code == HTTPStatus.OK
        first = markdown.render.call_count
        assert first > 0
        assert client.get(COMPARE).status_code == HTTPStatus.OK
        assert client.get(compare_url(["mesotherapy", "prp", "minoxidil"])).status_code == HTTPStatus.OK
    assert markdown.render.call_count == first


def test_an_edited_text_is_rendered_afresh_on_the_next_request(client):
    point = ComparisonPoint.objects.filter(comparison__slug="mesotherapy-vs-prp").order_by("pk").first()
    assert client.get(COMPARE).status_code == HTTPStatus.OK
    point.body = "Edited: **both** need a *course* of sessions."
    point.save()
    html = client.get(COMPARE).content.decode()
    assert "Edited: <strong>both</strong> need a <em>course</em> of sessions." in html


def test_a_text_loaded_without_save_is_rendered_from_the_text_itself(client):
    """Fixtures loaded with raw=True and rows changed by update() skip save(): the text is still the key."""
    point = ComparisonPoint.objects.filter(comparison__slug="mesotherapy-vs-prp").order_by("pk").first()
    client.get(COMPARE)
    ComparisonPoint.objects.filter(pk=point.pk).update(body="Changed with *update*.")
    assert "Changed with <em>update</em>." in client.get(COMPARE).content.decode()


def test_cached_markdown_is_the_same_sanitised_html():
    text = "A [link](javascript:alert(1)) and <script>x</script> and **bold**.\n\n- one\n- two"
    fresh = rich_text.clean_html(rich_text._markdown.render(text))
    assert rich_text.render_markdown(text) == fresh
    assert rich_text.render_markdown(text) is rich_text.render_markdown(text)
    assert rich_text.render_markdown("") == ""
    assert rich_text._render.cache_info().maxsize == rich_text.RENDERED_CACHE_SIZE


def test_the_comparison_page_is_identical_with_and_without_the_shortcuts(client):
    """Markdown uncached and full source rows: the same bytes."""
    urls = [COMPARE, compare_url(["mesotherapy", "prp", "minoxidil", "no-treatment"]), "/treatments/prp/", "/faq/"]
    fast = [client.get(url).content for url in urls]
    with (
        mock.patch.object(rich_text, "_render", rich_text._render.__wrapped__),
        mock.patch("treatments.models.CITED_FIELDS", tuple(f.attname for f in Reference._meta.concrete_fields)),
    ):
        slow = [client.get(url).content for url in urls]
    assert fast == slow


def test_sources_behind_the_table_are_fetched_with_only_what_a_citation_shows(client):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(COMPARE).status_code == HTTPStatus.OK
    # The table's own parts (Treatment.objects.for_comparison); the view's columns and points are its own.
    joins = ("treatments_sideeffect_references", "treatments_caution_references", "treatmentindication_references")
    reference_selects = [
        q["sql"]
        for q in ctx.captured_queries
        if 'FROM "treatments_reference"' in q["sql"] and any(join in q["sql"] for join in joins)
    ]
    assert len(reference_selects) == len(joins)
    reference_selects += [q["sql"] for q in ctx.captured_queries if 'FROM "treatments_profilecitation"' in q["sql"]]
    for sql in reference_selects:
        assert '"treatments_reference"."finding"' not in sql
    assert set(CITED_FIELDS) == {"id", "key", "title"}


def test_no_extra_query_for_a_citation_on_a_profile_or_a_table(client, django_assert_max_num_queries):
    """Deferred source fields must never be read: that would be one query per source."""
    for url in (COMPARE, "/treatments/prp/", compare_url(["mesotherapy", "prp", "minoxidil", "no-treatment"])):
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == HTTPStatus.OK
        with django_assert_max_num_queries(len(ctx.captured_queries)):
            client.get(url)
        assert len(ctx.captured_queries) <= 22, url  # rendered afresh: in a transaction nothing is kept


def add_options(count):
    """Published treatments for hair loss with a side effect, a caution and sources, as real options have."""
    source = Reference.objects.published().order_by("pk").first()
    slugs = []
    for i in range(count):
        treatment = make_treatment(slug=f"speed-option-{i}", name=f"Speed option {i}", short_name=f"Opt {i}")
        link = make_treatment_indication(treatment)
        link.references.add(source)
        effect = treatment.side_effects.create(name=f"Redness {i}", frequency=1, duration="A day")
        effect.references.add(source)
        caution = treatment.cautions.create(kind="should_not", name=f"You are unwell {i}")
        caution.references.add(source)
        treatment.citations.create(topic="summary", reference=source)
        slugs.append(treatment.slug)
    return slugs


def test_query_count_is_the_same_for_2_4_and_8_options(client):
    extra = add_options(6)
    counts = {}
    for chosen in (["mesotherapy", "prp"], ["mesotherapy", "prp", *extra[:2]], ["mesotherapy", "prp", *extra]):
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(compare_url(chosen))
        assert response.status_code == HTTPStatus.OK
        assert response.content.decode().count('<th scope="col">') == len(chosen)
        counts[len(chosen)] = len(ctx.captured_queries)
    assert len(set(counts.values())) == 1, counts


def test_every_published_comparison_still_renders(client):
    for comparison in Comparison.objects.published():
        assert client.get(comparison.get_absolute_url()).status_code == HTTPStatus.OK
    assert Treatment.objects.published().count() >= 2


# The tags a comparison can use instead of including the small component templates (treatments/templatetags/evidence.py).


def render_tag(source, context):
    from django.template import Context, Template

    return Template("{% load evidence %}" + source).render(Context(context))


@pytest.mark.parametrize(
    "citations",
    [
        [],
        None,
        [("alam-2018", "A trial", 1)],
        [("a-b", 'Quotes " and <tags> & ampersands', 12), ("c", "Plain", 3), ("d", "L'apostrophe", 1000)],
    ],
)
def test_citations_tag_links_each_source_with_its_title_escaped(citations):
    from treatments.presentation import Citation

    items = None if citations is None else [Citation(number, key, title) for key, title, number in citations]
    html = render_tag("{% citations items %}", {"items": items})
    if not citations:
        assert html == "\n"
        return
    links = re.findall(r'<a class="cite" href="/references/#ref-([^"]+)" title="([^"]*)">(.*?)</a>', html)
    assert [(key, text) for key, _, text in links] == [
        (key, f'<span class="visually-hidden">Source </span>[{number}]') for key, _, number in citations
    ]
    assert [title for _, title, _ in links] == [escape(title) for _, title, _ in citations]
    assert html.startswith('<span class="citations">') and "<tags>" not in html


@pytest.mark.parametrize("count", [0, 5, 95, 100])
@pytest.mark.parametrize("label", ["About 95 in 100 people had redness.", 'Odd "label" with <b> & more'])
def test_icon_array_tag_draws_100_figures_with_the_number_as_its_text(count, label):
    icons = numbers.IconArray(count, label)
    html = render_tag("{% icon_array icons %}", {"icons": icons})
    assert html.startswith(f'<svg class="icon-array" role="img" aria-label="{escape(label)}"')
    assert f"<title>{escape(label)}</title>" in html and "<b>" not in html
    assert filled_first(html, count)  # 100 figures, the first `count` filled
    assert render_tag("{% icon_array nothing %}", {}) == "\n"  # no array, nothing drawn
