"""The decision, framed as IPDAS asks (issue 10 item 6).

The comparison opens with the chosen concern (what it is, its usual causes, what happens without treatment, each
with its sources) and states the decision: whether to have treatment at all, and if so which, with doing nothing
as one of the options. Each option has a 'What living with it is like' row, framed the same way for every option.
"""

import re
from http import HTTPStatus

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_treatment
from treatments.models import NOT_KNOWN, CitationTopic, HowUsed, Indication, ProfileCitation, Reference, Treatment
from treatments.numbers import NOT_MEASURED

pytestmark = pytest.mark.django_db

COMPARE = "/compare/mesotherapy-vs-prp/"
PARTS = ("what_it_is", "causes", "natural_course")
HEADINGS = ("What it is", "Usual causes", "What happens without treatment")


def page(client, **params):
    response = client.get(COMPARE, params)
    assert response.status_code == HTTPStatus.OK
    return response.content.decode()


def about_section(html):
    match = re.search(r'<section class="condition".*?</section>', html, flags=re.S)
    assert match, "the comparison has no 'About' section for the concern"
    return match.group(0)


def row(html, key):
    match = re.search(rf'<tr id="row-{key}">.*?</tr>', html, flags=re.S)
    assert match, f"no {key} row in the table"
    return match.group(0)


# --- the concern comes first ---


@pytest.mark.parametrize("slug", ["hair-loss", "facial-skin", "body-skin", "dark-circles"])
def test_each_concern_opens_with_what_it_is_its_causes_and_its_natural_course(client, slug):
    concern = Indication.objects.get(slug=slug)
    html = page(client, concern=slug)
    section = about_section(html)
    assert f"About {concern.name.lower()}" in section
    positions = [section.index(f"<h3>{heading}</h3>") for heading in HEADINGS]
    assert positions == sorted(positions), "the parts are not in the order: what it is, causes, natural course"
    for name in PARTS:
        first_line = getattr(concern, name).split("\n")[0]
        assert first_line.replace("'", "&#x27;") in section
    # before the chooser and the table, just after the introduction
    assert html.index('class="lead"') < html.index('class="condition"') < html.index('class="chooser"')
    assert html.index('class="condition"') < html.index('id="comparison-table"')


def test_the_decision_is_whether_to_have_treatment_at_all_and_doing_nothing_is_an_option(client):
    section = about_section(page(client))
    assert "whether to have treatment at all, and if so, which" in section
    assert "Doing nothing for now is one of the options" in section


def test_doing_nothing_can_be_added_to_the_table_in_one_step(client):
    nothing = Treatment.objects.published().get(how_used=HowUsed.NOTHING)
    section = about_section(page(client, concern="dark-circles", treatments=["mesotherapy", "prp"]))
    link = re.search(r'<a href="([^"]+)">Add no treatment to the table</a>', section)
    assert link, section
    href = link.group(1).replace("&amp;", "&")
    assert "concern=dark-circles" in href
    assert all(f"treatments={slug}" in href for slug in ("mesotherapy", "prp", nothing.slug))
    html = page(client, concern="dark-circles", treatments=["mesotherapy", "prp", nothing.slug])
    section = about_section(html)
    assert "Add no treatment" not in section
    assert f"{nothing.short_name} is in the table below" in section
    assert f'data-column="{nothing.short_name}"' in html


def test_each_part_shows_its_own_sources_numbered_as_in_the_reference_list(client):
    concern = Indication.objects.get(slug="hair-loss")
    numbers = Reference.objects.citation_numbers()
    section = about_section(page(client, concern="hair-loss"))
    blocks = re.findall(r'<div class="point">(.*?)</div>', section, flags=re.S)
    assert len(blocks) == len(PARTS)
    for block, name in zip(blocks, PARTS, strict=True):
        cited = re.findall(
            r'href="/references/#ref-([\w-]+)"[^>]*><span class="visually-hidden">Source </span>\[(\d+)\]', block
        )
        expected = sorted(
            ((ref.key, numbers[ref.pk]) for ref in getattr(concern, f"{name}_references").all()),
            key=lambda pair: pair[1],
        )
        assert [(key, int(number)) for key, number in cited] == expected


def test_a_part_left_blank_is_left_off_and_an_unpublished_source_is_not_cited(client):
    concern = Indication.objects.get(slug="facial-skin")
    concern.causes = ""
    concern.save()
    draft = Reference.objects.get(key="hughes-2013")
    draft.status = "draft"
    draft.save()
    section = about_section(page(client, concern="facial-skin"))
    assert "<h3>Usual causes</h3>" not in section
    assert "<h3>What happens without treatment</h3>" in section
    assert "ref-hughes-2013" not in section


def test_a_concern_with_no_about_text_shows_no_empty_section(client):
    Indication.objects.filter(slug="body-skin").update(what_it_is="", causes="", natural_course="")
    html = page(client, concern="body-skin")
    assert '<section class="condition" id="about-concern" hidden></section>' in html
    assert "About neck" not in html
    assert "Side by side: Neck, hands and chest skin" in html


def test_the_about_parts_take_one_query_however_many_sources_they_cite():
    concern = Indication.objects.get(slug="dark-circles")
    with CaptureQueriesContext(connection) as before:
        concern.about()
    concern.natural_course_references.set(Reference.objects.published()[:20])
    concern.what_it_is_references.set(Reference.objects.published()[20:30])
    with CaptureQueriesContext(connection) as after:
        parts = concern.about()
    assert len(before.captured_queries) == len(after.captured_queries) == 1
    assert len(parts[2]["citations"]) == 20
    numbers = Reference.objects.citation_numbers()
    by_key = {ref.key: numbers[ref.pk] for ref in Reference.objects.published()}
    assert all(citation.number == by_key[citation.key] for part in parts for citation in part["citations"])


def test_every_concern_has_all_three_parts_and_a_part_without_sources_says_what_we_found():
    for concern in Indication.objects.published():
        for name in PARTS:
            text = getattr(concern, name)
            assert text.strip(), f"{concern.slug} has no {name}"
            if not getattr(concern, f"{name}_references").exists():
                assert "We found no" in text, f"{concern.slug}:{name} has no source and does not say so"


def test_the_about_parts_cite_only_published_sources():
    unpublished = [
        f"{concern.slug}:{name} cites {ref.key}"
        for concern in Indication.objects.all()
        for name in PARTS
        for ref in getattr(concern, f"{name}_references").all()
        if not ref.is_published
    ]
    assert not unpublished


def test_the_new_text_is_checked_for_readability_and_in_the_content_audit():
    assert set(PARTS) <= set(Indication.patient_text_fields)
    assert "living_with" in Treatment.patient_text_fields


# --- what living with each option is like ---


def test_each_option_has_a_living_with_row_with_its_own_sources(client):
    slugs = list(Treatment.objects.published().values_list("slug", flat=True))
    html = page(client, concern="hair-loss", treatments=slugs)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row(html, "living-with"), flags=re.S)
    assert len(cells) == len(slugs)
    numbers = Reference.objects.citation_numbers()
    for treatment, cell in zip(Treatment.objects.published().filter(slug__in=slugs), cells, strict=True):
        first_sentence = treatment.living_with.split(". ")[0].replace("'", "&#x27;")
        assert first_sentence in cell, treatment.slug
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", cell)}
        expected = {
            numbers[c.reference_id]
            for c in ProfileCitation.objects.filter(treatment=treatment, topic=CitationTopic.LIVING_WITH)
        }
        assert expected and cited == expected, treatment.slug


def test_an_option_with_no_living_with_text_says_it_is_not_known(client):
    made_up = make_treatment(slug="made-up", short_name="Made up")
    html = page(client, concern="hair-loss", treatments=["mesotherapy", made_up.slug])
    cell = re.search(r'<td data-column="Made up">(.*?)</td>', row(html, "living-with"), flags=re.S)
    assert NOT_KNOWN in cell.group(1)


def test_every_option_is_framed_the_same_way():
    """The same words, in the same place, for every option: whether it may not work, and what was not measured."""
    options = list(Treatment.objects.published())
    assert len(options) >= 8
    for option in options:
        text = option.living_with
        assert text.strip(), f"{option.slug} has no 'What living with it is like'"
        assert ProfileCitation.objects.filter(treatment=option, topic=CitationTopic.LIVING_WITH).exists()
        assert " 1 in " not in text.replace("1 in 100", ""), f"{option.slug}: use 'about N in 100', not '1 in X'"
        if option.how_used != HowUsed.NOTHING:
            assert "It may not work for you." in text, option.slug
        if option.is_injected:
            assert NOT_MEASURED in text, f"{option.slug}: say how often an infection happens is not measured"
            assert "How many people in 100 see no change has not been measured." in text
        for number in re.findall(r"about \d+ in 100", text):
            paragraph = next(p for p in text.split("\n\n") if number in p)
            assert "certainty" in paragraph or "rating" in paragraph, f"{option.slug}: '{number}' has no certainty"


def test_the_infection_after_mesotherapy_is_described_as_the_sources_do():
    text = Treatment.objects.get(slug="mesotherapy").living_with
    assert "more than one course" in text and "weeks" in text and "scars" in text
    assert "months of antibiotics" not in text  # the review says weeks; 'months' is not in a source we cite


def test_admin_shows_the_new_fields(admin_client):
    concern = Indication.objects.get(slug="hair-loss")
    html = admin_client.get(reverse("admin:treatments_indication_change", args=[concern.pk])).content.decode()
    for name in (*PARTS, *(f"{name}_references" for name in PARTS)):
        assert f'name="{name}"' in html, name
    treatment = Treatment.objects.get(slug="prp")
    html = admin_client.get(reverse("admin:treatments_treatment_change", args=[treatment.pk])).content.decode()
    assert 'name="living_with"' in html
    assert '<option value="living_with"' in html  # the citation topic in the profile's citations


@pytest.mark.parametrize("slug", ["hair-loss", "body-skin"])
def test_the_section_can_be_sent_out_of_band_with_an_htmx_table_swap(slug):
    """The chooser swaps only the table; included in that response with oob=True, the section replaces the one on
    the page (needs one include line inside the comparison-table partial: see the report for issue 10 item 6)."""
    from django.template.loader import render_to_string

    if slug == "body-skin":
        Indication.objects.filter(slug=slug).update(what_it_is="", causes="", natural_course="")
    concern = Indication.objects.get(slug=slug)
    html = render_to_string(
        "comparisons/_condition.html", {"concern": concern, "available": [], "chosen_slugs": [], "oob": True}
    )
    assert re.search(r'<section class="condition" id="about-concern"[^>]* data-hx-swap-oob="true"', html)
