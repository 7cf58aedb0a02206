"""Issue 10, item 7: every patient page, as rendered, reads at SMOG 9 or below.

This scores the whole visible text of <main>, fixed wording and table labels included, so it catches what the
field-by-field check of the content cannot: text written in templates and rows built from several fields. The
sources page is left out: it lists the titles of papers, in their authors' words."""

import pytest

from treatments.models import Indication, Treatment
from workflow.readability import SITE_TITLE_WORDS, SMOG_TARGET, readability

from .test_trust import part, visible_text

pytestmark = pytest.mark.django_db

COMPARE = "/compare/mesotherapy-vs-prp/"


def patient_pages():
    every = "".join(f"&treatments={slug}" for slug in Treatment.objects.published().values_list("slug", flat=True))
    yield from ("/", "/treatments/", "/faq/", "/about/", "/staying-safe/", "/changes/", COMPARE)
    for concern in Indication.objects.published().values_list("slug", flat=True):
        yield f"{COMPARE}?concern={concern}{every}"
    for treatment in Treatment.objects.published():
        yield treatment.get_absolute_url()
    yield f"{COMPARE}what-matters/"


def test_every_patient_page_reads_at_smog_9_or_below(client):
    scores = {}
    for url in patient_pages():
        response = client.get(url)
        assert response.status_code == 200, url
        scores[url] = readability(visible_text(part(response.content.decode(), "main")), SITE_TITLE_WORDS).smog
    assert len(scores) >= 15
    assert {url: score for url, score in scores.items() if score > SMOG_TARGET} == {}
