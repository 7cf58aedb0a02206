"""The claim-by-claim audit (docs/content-audit.md) covers every statement the content fixtures hold.

Each audit row for fixture text starts with a key such as `treatments.treatment:prp:how_it_works` and a
fingerprint of the field's text (the first 12 hex digits of the SHA-256 of the text with its whitespace
collapsed). So new or edited text fails here until someone has checked it against its sources and added a
row, and a row for text that no longer exists fails too. Run it with:

    .venv/bin/pytest tests/test_content_audit.py -q
"""

import hashlib
import re
from pathlib import Path

import pytest

from workflow.readability import patient_text_models

pytestmark = pytest.mark.django_db

AUDIT = Path(__file__).parents[1] / "docs" / "content-audit.md"
VERDICTS_AFTER = {"supported", "justified"}
# "new": the statement was not on the site before the audit (for example a source added to back a fix).
VERDICTS_BEFORE = {"supported", "overstated", "contradicted", "not in source", "uncited", "new"}

# Text patients read that the models do not list in `patient_text_fields`, because the readability check
# scores it elsewhere or it is short: still statements, so still audited.
EXTRA_TEXT_FIELDS = {
    "treatments.SideEffect": ("name", "duration"),
    "treatments.Ingredient": ("name",),
}
# Numbers and choices that the pages turn into statements ("About 45 to 60 minutes", "Small studies only",
# "Not known (reported, but no reliable rate)", a source's study type and link). One row per object.
FACT_FIELDS = {
    "treatments.Treatment": (
        "how_used",
        "source",
        "session_minutes_min",
        "session_minutes_max",
        "downtime_days_min",
        "downtime_days_max",
        "cost_tier",
    ),
    "treatments.TreatmentIndication": (
        "first_course_sessions_min",
        "first_course_sessions_max",
        "weeks_between_sessions_min",
        "weeks_between_sessions_max",
        "maintenance_months_min",
        "maintenance_months_max",
        "results_show_weeks_min",
        "results_show_weeks_max",
        "results_last_months_min",
        "results_last_months_max",
        "results_last_while_used",
        "evidence_strength",
        "benefit_people_per_100",
        "benefit_certainty",
    ),
    "treatments.SideEffect": ("frequency", "is_serious", "people_per_100", "from_needles", "certainty"),
    "treatments.Reference": ("title", "authors", "publisher", "year", "study_type", "participants", "link"),
}


def fingerprint(text):
    return hashlib.sha256(" ".join(str(text).split()).encode()).hexdigest()[:12]


def object_key(obj):
    return ":".join([obj._meta.label_lower, *[str(part) for part in obj.natural_key()]])


def facts_text(obj, names):
    return "; ".join(f"{name}={'' if getattr(obj, name) is None else getattr(obj, name)}" for name in names)


def fixture_statements():
    """{key: text} for every non-empty statement the loaded content fixtures hold."""
    from django.apps import apps

    statements = {}
    for model in patient_text_models():
        label = model._meta.label
        fields = (*model.patient_text_fields, *EXTRA_TEXT_FIELDS.get(label, ()))
        for obj in model.objects.all():
            for name in fields:
                text = getattr(obj, name)
                if text and text.strip():
                    statements[f"{object_key(obj)}:{name}"] = text
    for label, names in FACT_FIELDS.items():
        for obj in apps.get_model(label).objects.all():
            statements[f"{object_key(obj)}:facts"] = facts_text(obj, names)
    return statements


ROW = re.compile(r"^\|\s*`(?P<key>[^`]+)`\s*\|\s*`(?P<fingerprint>[0-9a-f]{12})`\s*\|(?P<rest>.*)\|\s*$")


def split_cells(rest):
    return [cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", rest)]


def audit_rows():
    """{key: (fingerprint, cells after the fingerprint)} from the audit file's keyed table rows."""
    rows = {}
    for number, line in enumerate(AUDIT.read_text().splitlines(), 1):
        match = ROW.match(line)
        if match:
            assert match["key"] not in rows, f"line {number}: a second row for {match['key']}"
            rows[match["key"]] = (match["fingerprint"], split_cells(match["rest"]))
    return rows


def test_the_audit_file_has_keyed_rows_and_says_how_to_rerun_it():
    text = AUDIT.read_text()
    assert ".venv/bin/pytest tests/test_content_audit.py" in text
    assert len(audit_rows()) > 100


def test_every_statement_in_the_fixtures_has_an_audit_row_for_its_current_text():
    rows = audit_rows()
    missing = []
    for key, text in sorted(fixture_statements().items()):
        if key not in rows:
            missing.append(f"{key} (no row; fingerprint {fingerprint(text)})")
        elif rows[key][0] != fingerprint(text):
            missing.append(f"{key} (text changed since the audit; fingerprint now {fingerprint(text)})")
    assert not missing, "Audit these statements against their sources, then add or update their rows:\n" + "\n".join(
        missing
    )


def test_no_audit_row_is_for_a_statement_that_no_longer_exists():
    gone = sorted(set(audit_rows()) - set(fixture_statements()))
    assert not gone, "Audit rows for statements that are no longer in the fixtures:\n" + "\n".join(gone)


def test_every_row_was_judged_and_ends_supported_or_justified_with_a_reason():
    problems = []
    for key, (_, cells) in audit_rows().items():
        before, after = cells[-3].lower(), cells[-1].lower()
        if before not in VERDICTS_BEFORE:
            problems.append(f"{key}: verdict before is {cells[-3]!r}")
        verdict, _, reason = after.partition(":")
        if verdict.strip() not in VERDICTS_AFTER:
            problems.append(f"{key}: verdict after is {cells[-1]!r}")
        elif verdict.strip() == "justified" and len(reason.strip()) < 10:
            problems.append(f"{key}: 'justified' needs a reason")
        if before not in {"supported", "new"} and cells[-2].lower() in {"", "none", "-"}:
            problems.append(f"{key}: judged {before} but no fix is given")
    assert not problems, "\n".join(problems)


def test_every_citation_in_the_content_points_at_a_published_reference():
    from comparisons.models import Comparison, ComparisonPoint, ComparisonTreatment, FaqEntry
    from treatments.models import Caution, ProfileCitation, SideEffect, TreatmentIndication

    unpublished = []
    for model in (Comparison, ComparisonTreatment, ComparisonPoint, FaqEntry, Caution, SideEffect, TreatmentIndication):
        for obj in model.objects.prefetch_related("references"):
            unpublished += [
                f"{object_key(obj)} cites {ref.key}" for ref in obj.references.all() if not ref.is_published
            ]
    for citation in ProfileCitation.objects.select_related("reference"):
        if not citation.reference.is_published:
            unpublished.append(f"{object_key(citation)} cites {citation.reference.key}")
    assert not unpublished, "\n".join(unpublished)


SENTENCE_END = re.compile(r"[.!?](?:['\")\]]*)(?:\s|$)")


def test_no_paragraph_of_fixture_text_has_more_than_three_sentences():
    """NHS style: paragraphs of up to 3 sentences. Paragraphs are separated by a blank line; lists are one
    item a line, so only multi-sentence prose is checked."""
    long = []
    for key, text in fixture_statements().items():
        if key.endswith(":facts"):
            continue
        for paragraph in re.split(r"\n\s*\n", text):
            for line in paragraph.splitlines() if "\n" in paragraph.strip() else [paragraph]:
                count = len(SENTENCE_END.findall(line.strip()))
                if count > 3:
                    long.append(f"{key}: {count} sentences in '{line.strip()[:60]}…'")
    assert not long, "\n".join(long)


def test_home_page_claims_show_their_sources(client):
    """The key differences and treatment summaries on the home page each carry a citation (content audit §5)."""
    html = client.get("/").content.decode()
    differences = re.findall(r"<dd>(.*?)</dd>", html, flags=re.S)
    cards = re.findall(r'<ul class="cards">(.*?)</ul>', html, flags=re.S)
    assert differences and cards
    assert all('class="cite"' in body for body in differences), "a key difference on the home page has no source"
    assert all('class="cite"' in item for item in re.findall(r"<li>(.*?)</li>", cards[0], flags=re.S))
