"""The real alternatives (issue 10, item 4): tickable into the comparison, framed like mesotherapy and PRP,
and never shown with zeros or injection words that are false for them."""

import re
from http import HTTPStatus

import pytest
from django.core.exceptions import ValidationError

from treatments.models import CostTier, HowUsed, Indication, InjectedSource, Treatment, TreatmentIndication

pytestmark = pytest.mark.django_db

COMPARE = "/compare/mesotherapy-vs-prp/"
ALL_CONCERNS = {"hair-loss", "facial-skin", "body-skin", "dark-circles"}
ALTERNATIVES = {
    "no-treatment": ALL_CONCERNS,
    "minoxidil": {"hair-loss"},
    "finasteride": {"hair-loss"},
    "chemical-peel": {"dark-circles"},
    "daily-sunscreen": {"facial-skin"},
    "tretinoin": {"facial-skin"},
}
WITHOUT_SESSIONS = ["no-treatment", "minoxidil", "finasteride", "daily-sunscreen", "tretinoin"]
ZEROS = re.compile(r"\b0 (minutes?|sessions?|days?|weeks?)\b|About 0\b")


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def compare(client, concern, *slugs):
    query = "&".join(f"treatments={slug}" for slug in slugs)
    return client.get(f"{COMPARE}?concern={concern}&{query}")


def columns(html):
    return re.findall(r'<th scope="col"><a href="/treatments/([^/]+)/">', html)


@pytest.mark.parametrize(("slug", "concerns"), ALTERNATIVES.items())
def test_each_alternative_is_published_and_linked_to_its_concerns_only(slug, concerns):
    treatment = Treatment.objects.published().get(slug=slug)
    linked = set(TreatmentIndication.objects.filter(treatment=treatment).values_list("indication__slug", flat=True))
    assert linked == concerns
    assert treatment.source == InjectedSource.NOT_INJECTED


def test_the_comparison_form_offers_every_published_treatment_and_defaults_to_mesotherapy_and_prp(client):
    html = text(client.get(COMPARE))
    for treatment in Treatment.objects.published():
        assert f'value="{treatment.slug}"' in html
    checked = re.findall(r'name="treatments" value="([^"]+)" checked', html)
    assert sorted(checked) == ["mesotherapy", "prp"]
    assert columns(html) == ["mesotherapy", "prp"]


def test_finasteride_is_for_men_only_and_carries_the_mhra_warning_pregnancy_and_handling(client):
    finasteride = Treatment.objects.get(slug="finasteride")
    assert "men only" in finasteride.name
    html = text(client.get("/treatments/finasteride/"))
    assert "MHRA" in html
    assert re.search(r"depress", html, re.I) and re.search(r"suicid", html, re.I)
    assert re.search(r"pregnan", html, re.I)
    assert re.search(r"crushed or broken", html, re.I), "the handling warning is missing"
    assert "You are a woman: finasteride is for men only" in html


def test_doing_nothing_is_offered_for_every_concern_with_its_natural_course(client):
    for concern in Indication.objects.published():
        html = text(compare(client, concern.slug, "no-treatment", "prp"))
        assert columns(html) == ["prp", "no-treatment"]
        link = TreatmentIndication.objects.get(treatment__slug="no-treatment", indication=concern)
        assert link.evidence_summary.split(".")[0].replace("'", "&#x27;") in html
        assert "Does not apply: no treatment is given." in html
        assert "None: no treatment is given." in html


@pytest.mark.parametrize("slug", WITHOUT_SESSIONS)
def test_no_page_shows_zero_minutes_sessions_or_days_for_an_option_without_sessions(client, slug):
    treatment = Treatment.objects.get(slug=slug)
    assert treatment.how_used in (HowUsed.DAILY_AT_HOME, HowUsed.NOTHING)
    page = text(client.get(f"/treatments/{slug}/"))
    assert not ZEROS.search(page)
    assert "No sessions." in page
    assert "Not injected." in page
    for link in treatment.indication_links.all():
        html = text(compare(client, link.indication.slug, slug, "mesotherapy"))
        assert not ZEROS.search(html)
        injected_row = html.split('id="row-injected"')[1].split("</tr>")[0]
        assert "Not injected." in injected_row


def test_daily_options_say_so_and_have_no_timeline(client):
    html = text(compare(client, "hair-loss", "minoxidil", "finasteride", "prp"))
    assert html.count("Used every day at home.") >= 2
    assert "Only while you keep using it." in html
    timelines = re.findall(r'<figure class="timeline">.*?<figcaption>(.*?)</figcaption>', html)
    assert len(timelines) == 1 and timelines[0].startswith("PRP:")


def test_an_unknown_cost_says_so_in_the_same_words_for_every_option(client):
    for slug in ["minoxidil", "finasteride", "chemical-peel", "daily-sunscreen", "tretinoin"]:
        assert Treatment.objects.get(slug=slug).cost_tier == CostTier.NOT_KNOWN
        assert "Cost not known: no source gives a UK price." in text(client.get(f"/treatments/{slug}/"))
    html = text(compare(client, "facial-skin", "daily-sunscreen", "tretinoin", "prp"))
    assert html.count("Cost not known: no source gives a UK price.") == 2
    assert "Middle cost" not in html


def test_sunscreen_has_one_large_trial(client):
    html = text(compare(client, "facial-skin", "daily-sunscreen", "prp"))
    assert "One large trial" in html
    assert "None reported in the sources we used." in html


@pytest.mark.parametrize(
    ("concern", "slugs"),
    [
        ("hair-loss", ["prp", "minoxidil", "finasteride"]),
        ("hair-loss", ["mesotherapy", "prp", "minoxidil", "finasteride"]),
        ("dark-circles", ["mesotherapy", "prp", "chemical-peel", "no-treatment"]),
        ("facial-skin", ["prp", "daily-sunscreen", "tretinoin", "no-treatment"]),
    ],
)
def test_the_comparison_with_three_or_four_options_has_every_column(client, concern, slugs):
    response = compare(client, concern, *slugs)
    assert response.status_code == HTTPStatus.OK
    order = list(Treatment.objects.filter(slug__in=slugs).values_list("slug", flat=True))
    assert columns(text(response)) == order
    for row in re.findall(r'<tr id="row-[^"]+">(.*?)</tr>', text(response)):
        assert row.count("<td data-column=") == len(slugs)


def test_query_count_is_the_same_for_two_and_four_options(client, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as two:
        assert compare(client, "hair-loss", "mesotherapy", "prp").status_code == HTTPStatus.OK
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(len(two.captured_queries)):
        assert compare(client, "hair-loss", "prp", "minoxidil", "finasteride", "no-treatment").status_code == 200


def test_the_model_refuses_injection_words_and_session_numbers_for_options_without_sessions():
    treatment = Treatment.objects.get(slug="minoxidil")
    treatment.source = InjectedSource.ADDED_PRODUCTS
    with pytest.raises(ValidationError):
        treatment.full_clean()
    treatment.source = InjectedSource.NOT_INJECTED
    treatment.session_minutes_min = treatment.session_minutes_max = 0
    with pytest.raises(ValidationError):
        treatment.full_clean()
    link = TreatmentIndication.objects.get(treatment__slug="minoxidil")
    link.first_course_sessions_min = link.first_course_sessions_max = 0
    link.weeks_between_sessions_min = link.weeks_between_sessions_max = 0
    with pytest.raises(ValidationError):
        link.full_clean()
    session_link = TreatmentIndication.objects.get(treatment__slug="prp", indication__slug="hair-loss")
    session_link.first_course_sessions_min = session_link.first_course_sessions_max = None
    session_link.weeks_between_sessions_min = session_link.weeks_between_sessions_max = None
    with pytest.raises(ValidationError):
        session_link.full_clean()
