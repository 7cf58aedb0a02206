"""What a patient gets from each page, with and without htmx."""

import re
from http import HTTPStatus

import pytest
from django.urls import reverse

from comparisons.models import Comparison, FaqEntry
from tests.factories import make_treatment, make_treatment_indication
from treatments.models import Indication, Reference, Treatment

pytestmark = pytest.mark.django_db

COMPARE = "/compare/mesotherapy-vs-prp/"
HTMX = {"HX-Request": "true"}


def text(response):
    return response.content.decode()


def h1_count(html):
    return len(re.findall(r"<h1[\s>]", html))


def public_urls():
    return [
        "/",
        COMPARE,
        f"{COMPARE}?concern=facial-skin",
        "/treatments/",
        "/treatments/prp/",
        "/treatments/mesotherapy/",
        "/faq/",
        "/references/",
        "/about/",
    ]


@pytest.mark.parametrize("url", public_urls())
def test_every_page_has_one_h1_a_title_description_canonical_and_review_dates(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK
    html = text(response)
    assert h1_count(html) == 1
    assert re.search(r"<title>[^<]{10,}</title>", html)
    assert re.search(r'<meta name="description" content="[^"]{30,}">', html)
    assert '<link rel="canonical" href="http://testserver/' in html
    assert "application/ld+json" in html
    assert "Last reviewed:" in html and "Next review due:" in html
    assert "not medical advice" in html


def test_comparison_table_has_a_column_per_treatment_and_the_promised_rows(client):
    html = text(client.get(COMPARE))
    assert "<caption" in html
    assert html.count('<th scope="col">') == 2
    for row in [
        "What it is",
        "What is injected",
        "What a session is like",
        "Sessions in a first course",
        "Top-up sessions",
        "When results show",
        "How long results last",
        "Cost",
        "Downtime",
        "Side effects and how common they are",
        "Who should not have it",
        "Strength of evidence",
        "May suit you if",
    ]:
        assert f'<th scope="row">{row}</th>' in html, row


def test_comparison_page_has_the_decision_aid_sections(client):
    html = text(client.get(COMPARE))
    for heading in ["Key differences", "Combining both", "Other options, and doing nothing", "Questions to ask"]:
        assert heading in html
    assert "minoxidil" in html.lower()


def test_values_with_references_show_numbered_citations_linking_to_the_list(client):
    html = text(client.get(COMPARE))
    numbers = Reference.objects.citation_numbers()
    cited = re.findall(
        r'href="/references/#ref-([\w-]+)"[^>]*><span class="visually-hidden">Source </span>\[(\d+)\]', html
    )
    assert len(cited) > 10
    by_key = {ref.key: numbers[ref.pk] for ref in Reference.objects.all()}
    for key, number in cited:
        assert by_key[key] == int(number)
    references = text(client.get("/references/"))
    for key, _ in cited:
        assert f'id="ref-{key}"' in references


def test_choosing_a_concern_changes_the_values_that_vary(client):
    hair = text(client.get(COMPARE, {"concern": "hair-loss"}))
    skin = text(client.get(COMPARE, {"concern": "facial-skin"}))
    assert "Side by side: Hair loss" in hair
    assert "Side by side: Facial skin" in skin

    def first_course(html):
        return re.search(r'<tr id="row-first-course">(.*?)</tr>', html, re.S).group(1)

    assert first_course(hair) != first_course(skin)


def test_htmx_request_gets_only_the_table_fragment_and_responses_vary_on_it(client):
    response = client.get(COMPARE, {"concern": "hair-loss"}, headers=HTMX)
    html = text(response)
    assert response.status_code == HTTPStatus.OK
    assert html.lstrip().startswith('<section id="comparison-table"')
    assert "<html" not in html and "<h1" not in html
    assert "HX-Request" in response["Vary"]
    assert "HX-Request" in client.get(COMPARE)["Vary"]


def test_history_restore_request_gets_the_whole_page(client):
    response = client.get(COMPARE, headers={**HTMX, "HX-History-Restore-Request": "true"})
    assert "<html" in text(response)
    response = client.get(COMPARE, headers={"HX-History-Restore-Request": "true"})
    assert "<html" in text(response)


def test_a_treatment_added_in_admin_can_be_compared_without_code_changes(client):
    new = make_treatment(name="Microneedling", short_name="Microneedling", slug="microneedling")
    make_treatment_indication(new)
    page = text(client.get(COMPARE))
    assert 'value="microneedling"' in page
    html = text(client.get(COMPARE, {"concern": "hair-loss", "treatments": ["prp", "microneedling", "mesotherapy"]}))
    assert html.count('<th scope="col">') == 3
    assert "Microneedling" in html


def test_draft_treatments_are_not_offered(client):
    make_treatment(slug="secret-draft", name="Secret draft", status="draft")
    assert "secret-draft" not in text(client.get(COMPARE))
    assert client.get("/treatments/secret-draft/").status_code == HTTPStatus.NOT_FOUND
    assert client.get(COMPARE, {"treatments": ["prp", "secret-draft"]}).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/compare/no-such-comparison/", {}),
        (COMPARE, {"concern": "baldness-cure"}),
        (COMPARE, {"treatments": ["prp", "snake-oil"]}),
        ("/treatments/no-such-thing/", {}),
    ],
)
def test_unknown_slugs_and_concerns_are_not_found(client, url, params):
    assert client.get(url, params).status_code == HTTPStatus.NOT_FOUND
    assert client.get(url, params, headers=HTMX).status_code == HTTPStatus.NOT_FOUND


def test_not_found_page_is_branded(client):
    response = client.get("/no/such/page/")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert "Page not found" in text(response) and "Treatment Compare" in text(response)


def test_choosing_only_one_treatment_explains_the_problem(client):
    response = client.get(COMPARE, {"treatments": "prp"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Choose at least two treatments" in text(response)


@pytest.mark.parametrize(
    "query",
    [
        "concern=&treatments=",
        "concern[]=x",
        "treatments=prp&treatments=prp",
        "concern=%00",
        "concern=" + "a" * 5000,
        "unknown=1",
        "q=%ff%fe",
    ],
)
def test_malformed_query_strings_never_cause_a_server_error(client, query):
    for headers in ({}, HTMX):
        response = client.get(f"{COMPARE}?{query}", headers=headers)
        assert response.status_code in {HTTPStatus.OK, HTTPStatus.BAD_REQUEST, HTTPStatus.NOT_FOUND}


def test_faq_lists_every_published_question_grouped_with_anchors(client):
    html = text(client.get("/faq/"))
    published = FaqEntry.objects.published()
    assert published.count() >= 15
    for entry in published:
        assert f'<details id="{entry.slug}"' in html
    assert html.count('<h2 id="topic-') == published.values("topic").distinct().count()


def test_faq_search_filters_and_works_as_a_plain_form(client):
    html = text(client.get("/faq/", {"q": "hurt"}))
    assert "match “hurt”" in html
    shown = re.findall(r'<details id="([\w-]+)"', html)
    assert shown
    expected = {e.slug for e in FaqEntry.objects.published() if "hurt" in (e.question + e.answer).lower()}
    assert set(shown) == expected


def test_faq_search_with_htmx_returns_the_results_fragment(client):
    response = client.get("/faq/", {"q": "hurt"}, headers=HTMX)
    html = text(response)
    assert "<html" not in html
    assert 'id="faq-results"' in html
    assert 'data-hx-swap-oob="innerHTML"' in html
    assert "HX-Request" in response["Vary"]


def test_faq_search_with_no_matches_says_so(client):
    html = text(client.get("/faq/", {"q": "zzzzqqq"}))
    assert "No questions match" in html


def test_references_show_type_size_and_link(client):
    html = text(client.get("/references/"))
    for reference in Reference.objects.all():
        assert f'id="ref-{reference.key}"' in html
        if reference.link:
            assert reference.link in html.replace("&amp;", "&")


def test_about_page_covers_the_editorial_policy(client):
    html = text(client.get("/about/"))
    for phrase in [
        "not medical advice",
        "Who writes and checks it",
        "How we choose the evidence",
        "How often we update it",
        "Who pays for it",
    ]:
        assert phrase in html


def test_home_offers_each_concern_and_the_key_differences(client):
    html = text(client.get("/"))
    for indication in Indication.objects.all():
        assert f"?concern={indication.slug}" in html
    assert "Key differences at a glance" in html


def test_sitemap_and_robots(client):
    sitemap = text(client.get("/sitemap.xml"))
    assert "/compare/mesotherapy-vs-prp/" in sitemap and "/treatments/prp/" in sitemap
    robots = client.get("/robots.txt")
    assert robots["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in text(robots)


def test_faq_page_has_faq_structured_data(client):
    assert '"@type": "FAQPage"' in text(client.get("/faq/"))


def test_pages_make_no_third_party_requests_and_have_no_inline_code(client):
    for url in public_urls():
        html = text(client.get(url))
        assert not re.search(r'(src|href)="(https?:)?//(?!testserver)[^"]*\.(js|css)', html), url
        assert "style=" not in html
        assert not re.search(r"<style", html)
        scripts = re.findall(r"<script([^>]*)>", html)
        assert all('src="' in attrs or 'type="application/ld+json"' in attrs for attrs in scripts), url
        assert " onclick=" not in html and " hx-" not in html


def add_treatments(count):
    hair = Indication.objects.get(slug="hair-loss")
    for _ in range(count):
        treatment = make_treatment()
        make_treatment_indication(treatment, hair)
        treatment.side_effects.create(name="Soreness", frequency=1, duration="A day")
        treatment.cautions.create(kind="should_not", name="You are unwell")
        treatment.ingredients.create(name="Saline", purpose="Made up")


def comparison_with_all(client):
    slugs = list(Treatment.objects.published().values_list("slug", flat=True))
    return client.get(COMPARE, {"concern": "hair-loss", "treatments": slugs})


@pytest.mark.parametrize(
    "fetch",
    [
        comparison_with_all,
        lambda client: client.get("/"),
        lambda client: client.get("/faq/"),
        lambda client: client.get("/treatments/"),
        lambda client: client.get("/treatments/prp/"),
        lambda client: client.get("/references/"),
    ],
)
def test_query_count_does_not_grow_with_the_number_of_treatments(client, fetch, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        assert fetch(client).status_code == HTTPStatus.OK
    add_treatments(8)
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert fetch(client).status_code == HTTPStatus.OK
    # 20, one for the "Recent changes" notes (issue 9), one for the options of the comparison when its columns
    # are rendered afresh (as here, in a transaction: nothing is kept)
    assert len(two.captured_queries) <= 23


def test_comparison_page_lists_main_comparison_from_compare_index(client):
    response = client.get("/compare/")
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == Comparison.objects.get(slug="mesotherapy-vs-prp").get_absolute_url()
    assert reverse("comparisons:detail", args=["mesotherapy-vs-prp"]) == COMPARE


def test_public_pages_are_cached_and_an_approved_change_shows_on_the_next_request(
    client, admin_client, django_assert_num_queries, django_capture_on_commit_callbacks
):
    from django.test import Client

    from tests.admin_forms import admin_url, change_form_data
    from workflow.models import Revision, RevisionState

    client.get("/treatments/prp/")
    with django_assert_num_queries(0):
        assert client.get("/treatments/prp/").status_code == HTTPStatus.OK

    prp = Treatment.objects.get(slug="prp")
    side_effect = prp.side_effects.order_by("pk").first()
    url = admin_url(Treatment, "change", prp.pk)
    data = change_form_data(admin_client, url)
    prefix = next(
        k[:-3] for k, v in data.items() if k.startswith("side_effects-") and k.endswith("-id") and v == side_effect.pk
    )
    data[f"{prefix}-name"] = "Tenderness after the injection"
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.post(url, data).status_code == HTTPStatus.FOUND
    assert "Tenderness after the injection" not in text(Client().get("/treatments/prp/"))

    revision = Revision.objects.for_item(prp).get(state=RevisionState.PENDING)
    with django_capture_on_commit_callbacks(execute=True):
        approved = admin_client.post(
            reverse("admin:workflow_revision_change", args=[revision.pk]),
            {
                "_approve": "1",
                "change_note": "Renamed a side effect.",
                "reviewed_by": "Dr X",
                "next_review_due": "2099-01-01",
            },
        )
    assert approved.status_code == HTTPStatus.FOUND
    assert "Tenderness after the injection" in text(Client().get("/treatments/prp/"))


def test_repeat_request_with_the_validator_gets_304(client):
    first = client.get(COMPARE)
    etag = first["ETag"]
    assert etag
    again = client.get(COMPARE, headers={"If-None-Match": etag})
    assert again.status_code == HTTPStatus.NOT_MODIFIED


@pytest.mark.parametrize("url", [*public_urls(), "/changes/", "/changes/feed/", "/sitemap.xml", "/robots.txt"])
def test_head_answers_like_get_cached_or_not(client, url):
    from django.core.cache import cache

    cache.clear()
    first = client.head(url)  # not in the page cache yet
    assert first.status_code == HTTPStatus.OK, url
    assert first.content == b""
    client.get(url)
    assert client.head(url).status_code == HTTPStatus.OK, url  # now served from the cache


@pytest.mark.parametrize("method", ["post", "put", "delete", "options", "trace"])
@pytest.mark.parametrize("url", ["/sitemap.xml", "/robots.txt", "/treatments/prp/", "/changes/feed/"])
def test_other_methods_are_refused_with_allow(client, url, method):
    response = getattr(client, method)(url)
    assert response.status_code == HTTPStatus.METHOD_NOT_ALLOWED, (method, url)
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_the_compare_address_keeps_the_concern_it_was_given(client):
    response = client.get("/compare/", {"concern": "dark-circles"})
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"{COMPARE}?concern=dark-circles"
    page = client.get(response["Location"])
    assert "Dark circles under the eyes" in text(page)
