"""Trust signals that are true (issue 10, item 5): who publishes and pays for the site and its conflict of
interest, from settings, on About and in every footer; no claim of independence; a review line that names the
reviewer and role or says "Not yet checked by a clinician"; and About's method and per-page reading grades."""

import datetime
import html as html_lib
import re
from http import HTTPStatus

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from comparisons.models import Comparison, FaqEntry
from tests.factories import make_treatment, make_treatment_indication
from treatments.models import Reference, SideEffect, Treatment
from workflow.forms import ReviewerSignOff
from workflow.readability import SITE_TITLE_WORDS, patient_text, readability

pytestmark = pytest.mark.django_db

ABOUT = "/about/"
COMPARE = "/compare/mesotherapy-vs-prp/"
REVIEWED_PAGES = [COMPARE, f"{COMPARE}?concern=facial-skin", "/treatments/prp/", "/treatments/mesotherapy/"]
ALL_PAGES = ["/", *REVIEWED_PAGES, "/treatments/", "/faq/", "/references/", ABOUT, "/changes/"]
NOT_YET = "Not yet checked by a clinician"

PUBLISHER = "Quillfeather Aesthetics Test Ltd"
FUNDING = "Quillfeather Aesthetics pays for every page of this test site."
CONFLICTS = "Quillfeather Aesthetics sells both test injections and gains when you buy them."


def get(client, url):
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, url
    return response.content.decode()


def part(html, tag, attrs=""):
    match = re.search(rf"<{tag}{attrs}[^>]*>(.*?)</{tag}>", html, re.DOTALL)
    assert match, f"no <{tag}{attrs}> in the page"
    return match.group(1)


def review_line(html):
    return part(html, "aside", ' class="review-dates"')


def visible_text(fragment):
    """Text of an HTML fragment, one line per block, as a reader sees it."""
    fragment = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", fragment, flags=re.DOTALL)
    fragment = re.sub(r"</?(p|li|h[1-6]|tr|th|td|caption|div|aside|ul|table)[^>]*>", "\n", fragment)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", fragment))
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


# --- publisher, funding and conflict of interest ------------------------------------------------------------


@override_settings(SITE_PUBLISHER=PUBLISHER, SITE_FUNDING=FUNDING, SITE_CONFLICTS=CONFLICTS)
@pytest.mark.parametrize("url", ALL_PAGES)
def test_every_footer_names_publisher_funder_and_conflict_from_settings(client, url):
    footer = visible_text(part(get(client, url), "footer"))
    assert f"Published by {PUBLISHER}." in footer
    assert FUNDING in footer
    assert CONFLICTS in footer


@override_settings(SITE_PUBLISHER=PUBLISHER, SITE_FUNDING=FUNDING, SITE_CONFLICTS=CONFLICTS)
def test_about_names_publisher_funder_and_conflict_from_settings(client):
    main = visible_text(part(get(client, ABOUT), "main"))
    assert f"Who publishes it\nThis site is published by {PUBLISHER}." in main
    assert f"Who pays for it\n{FUNDING}" in main
    assert f"Our conflict of interest\n{CONFLICTS}" in main


@override_settings(SITE_PUBLISHER=PUBLISHER, SITE_CONFLICTS=CONFLICTS)
def test_home_page_says_who_publishes_it_and_the_conflict(client):
    main = visible_text(part(get(client, "/"), "main"))
    assert f"This site is published by {PUBLISHER}. {CONFLICTS}" in main


def test_the_defaults_say_a_clinic_runs_and_pays_for_the_site_and_name_no_one(settings):
    assert "clinic" in settings.SITE_PUBLISHER
    assert "clinic" in settings.SITE_FUNDING.lower()
    assert "mesotherapy and PRP" in settings.SITE_CONFLICTS and "conflict of interest" in settings.SITE_CONFLICTS


@pytest.mark.parametrize("url", ALL_PAGES)
def test_no_page_claims_to_be_independent(client, url):
    assert "independent" not in get(client, url).lower()


def test_no_content_claims_to_be_independent():
    texts = [patient_text(obj) for model in (Treatment, Comparison, FaqEntry, Reference) for obj in model.objects.all()]
    assert not [text for text in texts if "independent" in text.lower()]


# --- the review line ----------------------------------------------------------------------------------------


def test_the_content_never_stands_in_a_placeholder_for_a_clinicians_sign_off():
    """Empty until a clinician has checked it (the page then says so), or that clinician's name and role."""
    for model in (Treatment, Comparison):
        for reviewer in model.objects.values_list("reviewed_by", flat=True):
            assert not re.search(r"pending|editorial team|not yet", reviewer, re.IGNORECASE), reviewer


@pytest.mark.parametrize("url", ALL_PAGES)
def test_every_review_line_says_not_yet_checked_while_reviewed_by_is_empty(client, url):
    Treatment.objects.update(reviewed_by="")
    Comparison.objects.update(reviewed_by="")
    line = visible_text(review_line(get(client, url)))
    assert f"{NOT_YET}." in line
    assert "Checked by:" not in line
    assert "Last reviewed:" in line and "Next review due:" in line


def test_the_review_line_names_the_reviewer_and_role_once_set(client):
    Treatment.objects.update(reviewed_by="")
    Comparison.objects.update(reviewed_by="")
    Treatment.objects.filter(slug="prp").update(reviewed_by="Dr Quill Tester, consultant dermatologist")
    prp = visible_text(review_line(get(client, "/treatments/prp/")))
    assert "Checked by: Dr Quill Tester, consultant dermatologist" in prp
    assert NOT_YET not in prp
    assert NOT_YET in review_line(get(client, "/treatments/mesotherapy/"))  # not signed off yet
    assert NOT_YET in review_line(get(client, COMPARE))
    # Pages drawing on all the content say "not yet" while any page lacks a clinician's sign-off...
    for url in ("/", "/faq/", "/references/", "/treatments/", ABOUT):
        assert NOT_YET in review_line(get(client, url)), url


def test_pages_drawing_on_all_content_name_every_reviewer_once_all_are_checked(client):
    Treatment.objects.update(reviewed_by="Dr Quill Tester, consultant dermatologist")
    Comparison.objects.update(reviewed_by="Jo Inkwell, nurse prescriber")
    for url in ("/", "/faq/", "/references/", ABOUT, "/changes/"):
        line = visible_text(review_line(get(client, url)))
        assert "Checked by: Dr Quill Tester, consultant dermatologist; Jo Inkwell, nurse prescriber" in line, url
        assert NOT_YET not in line
    listing = visible_text(review_line(get(client, "/treatments/")))
    assert "Checked by: Dr Quill Tester, consultant dermatologist" in listing and NOT_YET not in listing
    assert "Checked by: Jo Inkwell, nurse prescriber" in visible_text(review_line(get(client, COMPARE)))


def test_about_lists_the_pages_not_yet_checked_and_drops_them_once_checked(client):
    Treatment.objects.update(reviewed_by="")
    Comparison.objects.update(reviewed_by="")
    main = visible_text(part(get(client, ABOUT), "main"))
    assert "These pages have not yet been checked by a clinician: Mesotherapy or PRP?, " in main
    for treatment in Treatment.objects.published():
        assert treatment.name in main.split("not yet been checked by a clinician:")[1].split("\n")[0]
    Treatment.objects.update(reviewed_by="Dr Quill Tester, consultant dermatologist")
    Comparison.objects.update(reviewed_by="Dr Quill Tester, consultant dermatologist")
    cache.clear()
    main = visible_text(part(get(client, ABOUT), "main"))
    assert "have not yet been checked" not in main
    assert "A clinician has checked every treatment and comparison page." in main


def test_a_reviewers_approval_still_needs_a_reviewer_line():
    data = {"change_note": "Checked the side effects.", "next_review_due": datetime.date.today().replace(year=2099)}
    for blank in ("", "   "):
        form = ReviewerSignOff(data={**data, "reviewed_by": blank})
        assert not form.is_valid() and "reviewed_by" in form.errors
    signed = ReviewerSignOff(data={**data, "reviewed_by": "Dr A Patel, dermatologist"})
    assert signed.is_valid(), signed.errors
    assert "name and role" in str(ReviewerSignOff().fields["reviewed_by"].help_text)


# --- how the evidence was found, and the reading grades -------------------------------------------------------


def test_about_says_how_the_evidence_was_found_and_what_is_not_known(client):
    main = visible_text(part(get(client, ABOUT), "main"))
    for phrase in [
        "How we choose the evidence",
        "Where we searched",
        "stored copy of public web pages, not the live web",
        "PubMed",
        "Cochrane Library",
        "When we searched",
        "do not record the date of the search",
        "What counts as evidence",
        "GRADE",
        "we cannot promise that we found every study",
    ]:
        assert phrase in main, phrase


def treatment_page_text(treatment):
    rows = [
        *treatment.ingredients.all(),
        *treatment.side_effects.all(),
        *treatment.cautions.all(),
        *treatment.indication_links.filter(indication__status="published"),
    ]
    return "\n".join([patient_text(treatment), *(patient_text(row) for row in rows)])


def expected_grades():
    """url -> SMOG of the page's patient text, scored as workflow/readability.py scores content."""
    treatments = {t.pk: t for t in Treatment.objects.published()}
    texts = {t.get_absolute_url(): treatment_page_text(t) for t in treatments.values()}
    for comparison in Comparison.objects.published():
        rows = [*comparison.columns.all(), *comparison.points.all()]
        shown = [treatment_page_text(treatments[c.treatment_id]) for c in comparison.columns.all()]
        own = [patient_text(comparison), *(patient_text(row) for row in rows)]
        texts[comparison.get_absolute_url()] = "\n".join(own + shown)
    texts["/faq/"] = "\n".join(patient_text(entry) for entry in FaqEntry.objects.published())
    texts["/references/"] = "\n".join(patient_text(ref) for ref in Reference.objects.published())
    return {url: readability(text, SITE_TITLE_WORDS).smog for url, text in texts.items()}


def listed_grades(html):
    table = part(html, "table", ' class="grades"')
    rows = re.findall(r'<th scope="row"><a href="([^"]+)">[^<]*</a></th>\s*<td>([^<]*)</td>', table)
    return {url: float(cell.split()[0]) for url, cell in rows}


def test_about_publishes_each_pages_reading_grade_as_readability_scores_it(client):
    listed = listed_grades(get(client, ABOUT))
    expected = expected_grades()
    assert set(listed) == set(expected) >= {COMPARE, "/treatments/prp/", "/treatments/mesotherapy/", "/faq/"}
    for url, smog in expected.items():
        assert listed[url] == pytest.approx(smog, abs=0.05), url


def test_a_grade_follows_the_content_not_a_number_in_the_template(client):
    before = listed_grades(get(client, ABOUT))["/treatments/prp/"]
    Treatment.objects.filter(slug="prp").update(
        how_it_works="Intradermal administration of autologous concentrate demonstrates considerable efficacy.\n" * 20
    )
    cache.clear()
    after = listed_grades(get(client, ABOUT))["/treatments/prp/"]
    assert after > before
    assert after == pytest.approx(expected_grades()["/treatments/prp/"], abs=0.05)


def test_about_makes_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as first:
        get(client, ABOUT)
    for n in range(3):
        extra = make_treatment(name=f"Extra {n}", slug=f"extra-{n}")
        make_treatment_indication(extra)
        SideEffect.objects.create(treatment=extra, name="Bruising", frequency=1, duration="A few days", notes="Ok.")
    cache.clear()
    with django_assert_max_num_queries(len(first.captured_queries)):
        html = get(client, ABOUT)
    assert "/treatments/extra-2/" in listed_grades(html)
    assert len(first.captured_queries) <= 15


# --- plain English on About -------------------------------------------------------------------------------


def test_about_is_plain_english_in_short_paragraphs(client):
    main = part(get(client, ABOUT), "main")
    main = re.sub(r'<aside class="review-dates".*?</aside>', "", main, flags=re.DOTALL)
    for paragraph in re.findall(r"<p>(.*?)</p>", main, re.DOTALL):
        sentences = re.findall(r"[.!?][”’\")]*(?=\s|$)", visible_text(paragraph))
        assert len(sentences) <= 3, visible_text(paragraph)
    assert readability(visible_text(main), SITE_TITLE_WORDS).smog <= 9
