"""The reading grade (SMOG) of each patient page, published on About.

Scored with workflow.readability exactly as the admin's readability report and the content tests score
content: `readability(patient_text(obj), SITE_TITLE_WORDS)`, here over all the patient text one page shows
(each model's `patient_text_fields`, one line per sentence). Headings, table labels and the fixed wording of
the templates are not counted. In a fixed number of queries, however much content there is.
"""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.urls import reverse

from comparisons.models import Comparison, FaqEntry
from treatments.models import Reference, Treatment, TreatmentIndication
from workflow.models import Status
from workflow.readability import SITE_TITLE_WORDS, Readability, patient_text, readability

# The rows shown on a treatment's page and on a comparison's page, besides the item's own text.
TREATMENT_PARTS = ("ingredients", "side_effects", "cautions", "indication_links")
COMPARISON_PARTS = ("columns", "points")


@dataclass(frozen=True)
class PageGrade:
    title: str
    url: str
    result: Readability
    reviewed_by: str | None = None  # None: the page has no review record of its own (questions, sources)


def page_text(item, parts):
    """The item's patient text, then that of each of its rows in `parts`."""
    rows = (row for name in parts for row in getattr(item, name).all())
    return "\n".join([patient_text(item), *(patient_text(row) for row in rows)])


def grade(title, url, text, reviewed_by=None):
    return PageGrade(title, url, readability(text, SITE_TITLE_WORDS), reviewed_by)


def reading_grades():
    """[PageGrade] for every published comparison page, treatment page, the questions page and the sources page.

    A comparison page is scored on its own text and the text of every treatment in its columns, for every
    concern it can show (the page shows one concern at a time)."""
    shown_links = TreatmentIndication.objects.filter(indication__status=Status.PUBLISHED)
    treatments = list(
        Treatment.objects.published().prefetch_related(
            "ingredients", "side_effects", "cautions", Prefetch("indication_links", queryset=shown_links)
        )
    )
    treatment_text = {treatment.pk: page_text(treatment, TREATMENT_PARTS) for treatment in treatments}
    pages = []
    for comparison in Comparison.objects.published().prefetch_related("columns", "points"):
        shown = [treatment_text[c.treatment_id] for c in comparison.columns.all() if c.treatment_id in treatment_text]
        text = "\n".join([page_text(comparison, COMPARISON_PARTS), *shown])
        pages.append(grade(comparison.title, comparison.get_absolute_url(), text, comparison.reviewed_by))
    for treatment in treatments:
        url = treatment.get_absolute_url()
        pages.append(grade(treatment.name, url, treatment_text[treatment.pk], treatment.reviewed_by))
    faq = "\n".join(patient_text(entry) for entry in FaqEntry.objects.published())
    pages.append(grade("Questions about mesotherapy and PRP", reverse("comparisons:faq"), faq))
    sources = "\n".join(patient_text(reference) for reference in Reference.objects.published())
    pages.append(grade("Sources we used", reverse("pages:references"), sources))
    return pages
