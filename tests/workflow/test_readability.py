import math
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import textstat

from treatments.models import Treatment
from workflow.readability import (
    JARGON,
    SITE_TITLE_WORDS,
    SMOG_TARGET,
    as_sentences,
    content_readability_report,
    find_jargon,
    patient_text,
    patient_text_models,
    published_objects,
    readability,
    render_admin_report,
)

CHILD_TEXT = (
    "The cat sat on the mat. The dog ran to the park. We had fun in the sun. "
    "Then we went home for tea. Mum made a cake."
)
ACADEMIC_TEXT = (
    "Platelet-rich plasma demonstrated statistically significant efficacy in randomised controlled trials of "
    "androgenetic alopecia, although methodological heterogeneity, inconsistent centrifugation protocols and "
    "unstandardised intradermal administration preclude definitive conclusions. Subsequent meta-analyses identified "
    "considerable publication bias, potentially overestimating therapeutic effectiveness. Additionally, immunological "
    "and inflammatory mechanisms underlying follicular regeneration remain incompletely characterised."
)


def test_a_simple_text_scores_low():
    result = readability(CHILD_TEXT)
    assert SMOG_TARGET == 9
    assert result.smog < 7
    assert result.flesch > 90
    assert not result.too_hard


def test_a_dense_academic_paragraph_scores_high():
    result = readability(ACADEMIC_TEXT)
    assert result.smog > 12
    assert result.flesch < 30
    assert result.too_hard


def test_scores_follow_the_formulas_by_hand():
    # 13 words in 3 sentences. Syllables: 11 one-syllable words, "lovely" 2, "holiday" 3 = 16;
    # so one polysyllable ("holiday").
    result = readability("We went on holiday.\nIt was lovely.\nThe sea was warm and blue.")
    assert (result.words, result.sentences, result.polysyllables, result.syllables) == (13, 3, 1, 16)
    assert result.smog == pytest.approx(1.043 * math.sqrt(1 * 30 / 3) + 3.1291, abs=0.05)  # 6.4
    assert result.flesch == pytest.approx(206.835 - 1.015 * (13 / 3) - 84.6 * (16 / 13), abs=0.05)  # 98.3


@pytest.mark.parametrize("text", [CHILD_TEXT, ACADEMIC_TEXT])
def test_smog_matches_the_library(text):
    """We only compute the formula from textstat's counts, so scores match textstat's own SMOG."""
    assert readability(text).smog == pytest.approx(textstat.smog_index(text), abs=0.1)


def test_each_line_bullet_and_heading_is_a_sentence():
    text = "## Side effects\n\n- bruising for a few days\n- **swelling** that goes down\n\nSee [NHS advice](https://nhs.uk):"
    assert as_sentences(text) == "Side effects.\nbruising for a few days.\nswelling that goes down.\nSee NHS advice."
    # textstat does not count sentences of one or two words ("Side effects."), so short
    # headings cannot make the body text look easier than it is.
    assert readability(text).sentences == 3


def test_title_words_can_be_left_out():
    text = "Mesotherapy is an injection.\nPlatelet-rich plasma is an injection.\nMesotherapy can bruise."
    assert readability(text).polysyllables > readability(text, SITE_TITLE_WORDS).polysyllables
    assert readability(text, SITE_TITLE_WORDS).words == readability(text).words - 4


def test_empty_text():
    result = readability("  \n ")
    assert result.smog is None
    assert result.words == 0
    assert not result.too_hard


def test_no_network_is_used(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("readability tried to use the network")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    assert readability("A brand new text that no cache has seen before. It has two lines.").words == 14


def test_no_network_is_used_at_import_either():
    """A fresh interpreter with sockets blocked can import the module and score text."""
    code = (
        "import socket\n"
        "class Refuse(socket.socket):\n"
        "    def __init__(self, *a, **k): raise SystemExit('network used')\n"
        "def refuse(*a, **k): raise SystemExit('network used')\n"
        "socket.socket = Refuse\n"
        "socket.create_connection = socket.getaddrinfo = refuse\n"
        "from workflow.readability import readability\n"
        "print(readability('Short words are best. Long ones are hard. Keep it plain.').smog)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=Path(__file__).parents[2], check=False
    )
    assert result.returncode == 0, result.stderr
    assert float(result.stdout) < 7


def test_jargon_is_found_with_plain_words():
    found = find_jargon("Androgenetic alopecia and Alopecia areata. Tell us about anticoagulants and NSAIDs.")
    assert found == [
        ("androgenetic alopecia", "pattern hair loss"),
        ("alopecia", "hair loss"),
        ("anticoagulant", "blood thinner"),
        ("NSAID", "anti-inflammatory painkillers like ibuprofen"),
    ]


def test_jargon_matches_whole_words_only():
    found = find_jargon("The epidermis and the dermis.")
    assert found == [("epidermis", JARGON["epidermis"]), ("dermis", JARGON["dermis"])]
    assert find_jargon("Topically, dermismal, keloidal, pre-dermis.") == []
    assert find_jargon("") == []


def test_every_registered_field_exists():
    labels = {model._meta.label for model in patient_text_models()}
    assert {"treatments.Treatment", "treatments.SideEffect", "treatments.Reference", "comparisons.FaqEntry"} <= labels
    for model in patient_text_models():
        for name in model.patient_text_fields:
            assert model._meta.get_field(name).get_internal_type() in {"TextField", "CharField"}, (model, name)


@pytest.mark.django_db
def test_report_per_field_and_admin_html():
    from tests.factories import make_treatment

    treatment = make_treatment(
        how_it_works="Intradermal administration of autologous concentrate demonstrates considerable efficacy.",
    )
    reports = {report.name: report for report in content_readability_report(treatment)}
    assert list(reports) == list(Treatment.patient_text_fields)
    assert reports["how_it_works"].readability.too_hard
    assert ("autologous", "from your own body") in reports["how_it_works"].jargon

    html = render_admin_report(treatment)
    assert "How it works" in html
    assert "Hard to read" in html
    assert "‘autologous’: try ‘from your own body’" in html
    assert "All of the above" in html


def test_admin_report_for_a_model_without_patient_text():
    from django.contrib.auth.models import Group

    assert "no patient text" in render_admin_report(Group(name="x"))


@pytest.mark.django_db
def test_the_sites_own_content_meets_the_target():
    """Every published object's patient text scores SMOG <= 9 (SITE_TITLE_WORDS left out).

    What is measured, and why this is fair:
    * per object, over all its patient text fields together (`patient_text_fields`), because
      that is what a patient reads in one place (a treatment profile, an FAQ answer, a point);
    * SMOG needs a few sentences to mean anything: one sentence with two long words scores 11.
      So objects with fewer than 3 sentences (a caution, a side effect note, a reference's
      finding) are not scored alone: all such short texts of one kind (say, every published
      caution) are pooled into one sample, and that sample must meet the target;
    * each line counts as a sentence, as the NHS advises, and Markdown is dropped first.
    On failure the message lists every object and pool over the target, worst first, with
    the per-field scores, so the writer knows where to look.
    """
    assert Treatment.objects.published().exists(), "no published content was loaded from fixtures/"
    failures = []
    for model in patient_text_models():
        label = model._meta.label
        pooled = []
        for obj in published_objects(model):
            result = readability(patient_text(obj), SITE_TITLE_WORDS)
            if result.sentences < 3:
                pooled.append(patient_text(obj))
            elif result.too_hard:
                fields = ", ".join(
                    f"{report.name} {report.readability.smog}"
                    for report in content_readability_report(obj)
                    if report.readability.smog is not None
                )
                failures.append((result.smog, f"{label} '{obj}': SMOG {result.smog} ({fields})"))
        pool = readability("\n".join(pooled), SITE_TITLE_WORDS)
        if pool.sentences >= 3 and pool.too_hard:
            failures.append((pool.smog, f"{label}, {len(pooled)} short texts pooled: SMOG {pool.smog}"))
    failures.sort(reverse=True)
    assert not failures, "\n".join(message for _, message in failures)
