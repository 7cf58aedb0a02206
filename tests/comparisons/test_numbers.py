"""Numbers as the comparison shows them (issue 10, items 2 and 3): each beside its source and a certainty
label, natural frequencies out of 100 with an icon array that says the same, injection effects framed the
same for every injected option, 'not measured' in one set of words, and the caveats stored with the values."""

import html as htmllib
import re

import pytest
from django.db import IntegrityError, transaction

from tests.icons import filled_first
from treatments.models import Frequency, Indication, Reference, SideEffect, Treatment, TreatmentIndication
from treatments.numbers import FROM_NEEDLES, NO_RELIABLE_NUMBER, NOT_MEASURED

pytestmark = pytest.mark.django_db

COMPARE = "/compare/mesotherapy-vs-prp/"
CERTAINTY = re.compile(r'<span class="certainty">Certainty: (high|moderate|low|very low)</span>')
HEADLINE = re.compile(r'<p class="estimate-number"><strong>(.*?)</strong>(.*?)</p>', re.S)


def concerns():
    return list(Indication.objects.published().values_list("slug", flat=True))


def page(client, concern, everything=False):
    """The comparison for one concern: mesotherapy and PRP, or (everything) every published treatment ticked."""
    ticked = "".join(f"&treatments={slug}" for slug in Treatment.objects.published().values_list("slug", flat=True))
    return client.get(f"{COMPARE}?concern={concern}{ticked if everything else ''}").content.decode()


def estimates(html):
    """(headline, the rest of its paragraph, the whole block) for every estimate on the page. An estimate is a
    block of its own in a list, or leads a cell's short answer with the rest in the cell's disclosure."""
    found = []
    blocks = re.findall(r'<div class="estimate[^"]*">.*?\n</div>', html, re.S)
    for cell in re.findall(r"<td data-column=[^>]*>(.*?)</td>", html, re.S):
        answer = re.search(r'<div class="answer">(.*?)</div>', cell, re.S)[1]
        blocks += [cell] * len(HEADLINE.findall(answer))
    for block in blocks:
        headline, rest = HEADLINE.search(block).groups()
        found.append((htmllib.unescape(headline), rest, block))
    return found


def side_effect_item(html, name):
    """Every list item on the page that shows the side effect `name`."""
    return re.findall(rf"<li[^>]*><strong>{re.escape(htmllib.escape(name))}</strong>(.*?)</li>", html, re.S)


def paragraphs(text):
    return [htmllib.escape(" ".join(p.split())) for p in re.split(r"\n\s*\n|\n", text) if p.strip()]


def squash(html):
    return " ".join(re.sub(r"<br>", " ", html).split())


@pytest.mark.parametrize("concern", ["hair-loss", "facial-skin", "body-skin", "dark-circles"])
def test_every_number_shown_sits_beside_its_source_and_a_certainty_label(client, concern):
    assert concern in concerns()
    found = estimates(page(client, concern))
    assert found
    numbered = [(h, rest) for h, rest, _ in found if re.search(r"\d", h)]
    assert numbered, "each concern shows at least the measured injection effects"
    for headline, rest in numbered:
        assert 'class="cite"' in rest, f"no source beside {headline!r}"
        assert CERTAINTY.search(rest), f"no certainty label beside {headline!r}"


@pytest.mark.parametrize("concern", ["hair-loss", "facial-skin", "body-skin", "dark-circles"])
def test_no_frequency_band_is_shown_where_a_study_gives_a_count(client, concern):
    html = page(client, concern, everything=True)
    counted = SideEffect.objects.exclude(people_per_100=None).filter(
        treatment__indication_links__indication__slug=concern
    )
    assert counted.exists()
    for effect in counted:
        items = side_effect_item(html, effect.name)
        assert items, f"{effect.name} is not on the page"
        for item in items:  # several options can have an effect of the same name, each with its own count
            assert Frequency(effect.frequency).label not in item
        assert any(f"About {effect.people_per_100} in 100 people" in item for item in items)
    assert "more than 1 in 10" not in html


def test_prp_hair_loss_shows_the_pooled_placebo_controlled_figure_with_range_comparator_time_and_certainty(client):
    html = page(client, "hair-loss")
    (block,) = [b for h, _, b in estimates(html) if "hairs per square centimetre" in h]
    text = squash(htmllib.unescape(block))
    assert "About 28 more hairs per square centimetre of scalp, on average." in text
    assert "Range: About 14 to 41 more" in " ".join(re.sub(r"<[^>]+>", "", text).split())
    assert "placebo" in text and "pooled 13 trials" in text
    assert "Time frame" in text
    assert "Certainty: low" in text
    assert 'href="/references/#ref-kieling-2024"' in block


def test_each_icon_array_is_an_image_of_100_figures_whose_text_alternative_is_the_visible_number(client):
    seen = 0
    for concern in concerns():
        for headline, _, block in estimates(page(client, concern)):
            svg = re.search(
                r'<svg class="icon-array" role="img" aria-label="([^"]*)"[^>]*><title>([^<]*)</title>(.*?)</svg>',
                block,
                re.S,
            )
            if not svg:
                continue
            seen += 1
            label, title, body = (htmllib.unescape(svg[1]), htmllib.unescape(svg[2]), svg[3])
            assert label == title == headline
            count = int(re.match(r"About (\d+) in 100 people", label)[1])
            assert filled_first(body, count)  # 100 figures, the first `count` filled
            assert "<script" not in block
    assert seen >= 6, "PRP and mesotherapy each show redness, swelling and bruising as pictures"


def test_injection_effects_read_the_same_for_every_injected_option_and_unmeasured_ones_say_not_measured(client):
    html = page(client, "facial-skin")
    injected = Treatment.objects.published().exclude(source=Treatment.Source.NOT_INJECTED)
    assert injected.count() >= 2
    for name in ("Redness", "Swelling", "Bruising"):
        items = side_effect_item(html, name)
        assert len(items) == injected.count()
        headlines = {HEADLINE.search(item)[1] for item in items}
        assert len(headlines) == 1, f"{name} reads differently for different options: {headlines}"
        assert all(FROM_NEEDLES in htmllib.unescape(item) for item in items)
    unmeasured = SideEffect.objects.filter(people_per_100=None, frequency=Frequency.NOT_KNOWN, treatment__in=injected)
    assert (
        unmeasured.filter(treatment__slug="prp").exists() and unmeasured.filter(treatment__slug="mesotherapy").exists()
    )
    for effect in unmeasured:
        (item,) = side_effect_item(html, effect.name)
        assert NOT_MEASURED in htmllib.unescape(item)
    for effect in SideEffect.objects.all():
        assert "has not been measured" not in effect.notes, "the not-measured words come from one constant"


def test_benefits_say_no_reliable_number_and_why_where_no_source_gives_one(client):
    for concern in concerns():
        html = htmllib.unescape(page(client, concern, everything=True))
        for link in TreatmentIndication.objects.filter(indication__slug=concern, benefit_estimate=""):
            assert NO_RELIABLE_NUMBER in html
            assert link.no_number_reason, f"{link} gives no number and no reason"
            assert " ".join(link.no_number_reason.split()) in html


def test_side_effect_and_per_concern_notes_reach_the_comparison_page(client):
    for concern in concerns():
        html = squash(page(client, concern, everything=True))
        for link in TreatmentIndication.objects.filter(indication__slug=concern).exclude(notes=""):
            for paragraph in paragraphs(link.notes):
                assert paragraph in html, f"{link}: per-concern note missing"
        for effect in SideEffect.objects.exclude(notes=""):
            for paragraph in paragraphs(effect.notes):
                assert paragraph in html, f"{effect.treatment.slug} {effect.name}: note missing"
        for effect in SideEffect.objects.exclude(measured_in=""):
            assert htmllib.escape(effect.measured_in) in html


def test_the_treatment_page_shows_the_same_numbers_in_the_same_words(client):
    compare = page(client, "facial-skin")
    for slug in ("prp", "mesotherapy"):
        profile = client.get(f"/treatments/{slug}/").content.decode()
        for name in ("Redness", "Swelling", "Bruising"):
            (on_profile,) = side_effect_item(profile, name)
            on_compare = [i for i in side_effect_item(compare, name) if HEADLINE.search(i)]
            assert HEADLINE.search(on_profile)[1] in {HEADLINE.search(i)[1] for i in on_compare}
    assert "About 28 more hairs per square centimetre" in client.get("/treatments/prp/").content.decode()


def test_a_number_cannot_be_saved_without_what_was_tested_its_source_and_certainty():
    effect = SideEffect.objects.filter(people_per_100=None).first()
    effect.people_per_100 = 50
    with pytest.raises(IntegrityError), transaction.atomic():
        effect.save()
    link = TreatmentIndication.objects.filter(benefit_estimate="").first()
    link.benefit_estimate = "About 10 more"
    with pytest.raises(IntegrityError), transaction.atomic():
        link.save()
    effect.people_per_100, effect.measured_in, effect.certainty = 101, "A trial", "low"
    effect.rate_source = Reference.objects.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        effect.save()


def test_editors_see_the_new_number_fields_in_the_admin_forms(admin_client):
    """Parts are edited inline on their treatment's page (their own admin pages are read-only views)."""
    prp = Treatment.objects.get(slug="prp")
    body = admin_client.get(f"/admin/treatments/treatment/{prp.pk}/change/").content.decode()
    inline_fields = {
        "side_effects": [
            "people_per_100",
            "measured_in",
            "from_needles",
            "rate_source",
            "certainty",
            "certainty_reason",
        ],
        "indication_links": [
            "benefit_estimate",
            "benefit_range",
            "benefit_compared_with",
            "benefit_time_frame",
            "benefit_people_per_100",
            "benefit_source",
            "benefit_certainty",
            "benefit_certainty_reason",
            "no_number_reason",
        ],
    }
    for prefix, names in inline_fields.items():
        for name in names:
            assert f'name="{prefix}-0-{name}"' in body, f"no form field {prefix}-0-{name}"


def test_a_source_that_backs_a_shown_number_cannot_be_deleted(admin_client):
    kieling = Reference.objects.get(key="kieling-2024")
    response = admin_client.post(f"/admin/treatments/reference/{kieling.pk}/delete/", {"post": "yes"})
    assert response.status_code == 200
    assert "Cannot delete" in response.content.decode()
    assert Reference.objects.filter(key="kieling-2024").exists()
