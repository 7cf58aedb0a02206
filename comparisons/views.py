import functools
from dataclasses import dataclass

from django import forms
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.functional import SimpleLazyObject
from django.views.decorators.http import require_safe

from config.cache import cache_public_page
from treatments.models import Indication, Reference, Treatment
from treatments.presentation import numbered
from workflow.kept import keep

from .models import Comparison, ComparisonPoint, ComparisonTreatment, FaqEntry, FaqTopic
from .tables import ComparisonTable, RenderedTable

MAX_QUERY_LENGTH = 100


def wants_fragment(request):
    """htmx swaps get the named partial; history restores (after Back) get the whole page."""
    return bool(request.htmx) and not request.htmx.history_restore_request


def review_dates():
    """The review record shown on pages that draw on all the content: the latest review, the earliest next
    review and who checked it. `reviewed_by` stays empty, so the page says "Not yet checked by a clinician",
    while any published treatment or comparison has no clinician's sign-off."""
    rows = [
        row
        for model in (Treatment, Comparison)
        for row in model.objects.published().values_list("last_reviewed", "next_review_due", "reviewed_by")
    ]
    reviewers = {reviewer for _, _, reviewer in rows}
    return {
        "last_reviewed": max((last for last, _, _ in rows), default=None),
        "next_review_due": min((due for _, due, _ in rows), default=None),
        "reviewed_by": "" if "" in reviewers else "; ".join(sorted(reviewers)),
    }


def comparison_columns(comparison):
    return {
        column.treatment_id: column
        for column in ComparisonTreatment.objects.filter(comparison=comparison).prefetch_related("references")
    }


def main_comparison():
    return Comparison.objects.published().order_by("sort_order", "title").first()


@require_safe
def comparison_index(request):
    comparison = main_comparison()
    if comparison is None:
        raise Http404("No comparison is published yet.")
    query = request.META.get("QUERY_STRING", "")  # /compare/?concern=dark-circles keeps its concern
    return redirect(f"{comparison.get_absolute_url()}?{query}" if query else comparison.get_absolute_url())


@dataclass
class ComparisonChoices:
    """What a comparison page offers: the published concerns and options, and the options it starts with."""

    comparison: Comparison
    indications: list
    available: list
    columns: set  # pks of the comparison's own options

    @classmethod
    def load(cls, slug):
        comparison = Comparison.objects.published().select_related("indication").filter(slug=slug).first()
        if comparison is None:
            return None
        return cls(
            comparison,
            list(Indication.objects.published()),
            list(Treatment.objects.published()),
            set(ComparisonTreatment.objects.filter(comparison=comparison).values_list("treatment_id", flat=True)),
        )


class ComparisonChoiceForm(forms.Form):
    """The concern and the options to compare, checked against the published ones the page already has (so
    checking costs no query). Cleaned, `concern` is an Indication or None and `treatments` a list of
    Treatments in the order of `available`."""

    concern = forms.ChoiceField(required=False)
    treatments = forms.MultipleChoiceField(required=False)

    def __init__(self, data=None, *, indications, available, submitted=False):
        super().__init__(data)
        self.indications = {indication.slug: indication for indication in indications}
        self.available = available
        self.fields["concern"].choices = [(slug, indication.name) for slug, indication in self.indications.items()]
        self.fields["treatments"].choices = [(treatment.slug, treatment.name) for treatment in available]
        self.submitted = submitted  # the options were sent, even if none was ticked

    @classmethod
    def from_query(cls, query, **options):
        """The form for a query string. The choosing form always sends `treatments` (a hidden empty value), so
        "nothing ticked" differs from a link that names no options; empty values are not options."""
        if not query:
            return cls(**options)
        data = {
            "concern": query.get("concern", ""),
            "treatments": [slug for slug in query.getlist("treatments") if slug],
        }
        return cls(data, submitted="treatments" in query, **options)

    def clean_concern(self):
        return self.indications.get(self.cleaned_data["concern"])

    def clean_treatments(self):
        slugs = set(self.cleaned_data["treatments"])
        chosen = [treatment for treatment in self.available if treatment.slug in slugs]
        if (chosen or self.submitted) and len(chosen) < 2:
            raise forms.ValidationError("Choose at least two treatments to compare.")
        return chosen


@require_safe
@cache_public_page(query=("concern",), lists=("treatments",))
def comparison_detail(request, slug):
    choices = keep(request, "comparison-choices", slug, build=lambda: ComparisonChoices.load(slug))
    if choices is None:
        raise Http404("No published comparison has that address.")
    comparison, indications, available = choices.comparison, choices.indications, choices.available
    columns = choices.columns

    form = ComparisonChoiceForm.from_query(request.GET, indications=indications, available=available)
    status = 200
    starting = comparison.indication if comparison.indication in indications else None  # not if taken down
    concern = starting or (indications[0] if indications else None)
    chosen_slugs = [t.slug for t in available if t.pk in columns]
    ticked_slugs = None
    if request.GET:
        unknown_concern = request.GET.get("concern") and request.GET["concern"] not in {i.slug for i in indications}
        unknown_treatment = set(form.data.get("treatments", [])) - {t.slug for t in available}
        if unknown_concern or unknown_treatment:
            raise Http404("That concern or treatment is not on this site.")
        if form.is_valid():
            concern = form.cleaned_data["concern"] or concern
            chosen_slugs = [t.slug for t in form.cleaned_data["treatments"]] or chosen_slugs
        else:
            status = 400
            asked = request.GET.get("concern")
            concern = next((i for i in indications if i.slug == asked), concern)  # keep the concern asked for
            ticked_slugs = form.data["treatments"]  # the boxes stay as the patient left them
    if concern is None:
        raise Http404("No concerns are set up yet.")

    chosen = [t for t in available if t.slug in set(chosen_slugs)]

    @functools.cache
    def numbers():
        return Reference.objects.citation_numbers()

    def fetch(pks):
        treatments = Treatment.objects.published().filter(pk__in=pks).for_comparison(indication=concern)
        return ComparisonTable(treatments, concern, numbers(), columns=comparison_columns(comparison))

    table = RenderedTable.build(request, comparison, concern, chosen, fetch)
    context = {
        "comparison": comparison,
        "indications": indications,
        "available": available,
        "concern": concern,
        "chosen_slugs": chosen_slugs,
        "ticked_slugs": chosen_slugs if ticked_slugs is None else ticked_slugs,
        "form": form,
        "table": table,
        "choice_error": " ".join(form.errors.get("treatments", [])),
        "changes_about": [comparison, *table.treatments],
        "review": comparison,
    }
    template = "comparisons/comparison_detail.html"
    if wants_fragment(request):
        if status == 400:
            # The message alone, swapped out of band: the last good comparison and its address stay. Sent as a
            # 200, so htmx handles it as any answer (and django-htmx's debug page does not take over).
            response = render(request, f"{template}#choice-update", context)
            response["HX-Reswap"] = "none"
            response["HX-Push-Url"] = "false"
            return response
        return render(request, f"{template}#choice-update", context)
    context["points"] = SimpleLazyObject(lambda: _points_by_kind(comparison, numbers()))  # unless kept
    return render(request, template, context, status=status)


def _points_by_kind(comparison, numbers):
    points = {kind: [] for kind in ComparisonPoint.Kind.values}
    for point in comparison.points.prefetch_related("references"):
        point.citations = numbered(point.references.all(), numbers)
        points[point.kind].append(point)
    return points


@require_safe
@cache_public_page(query=("q",), skip_when=("q",))  # searches are free text: not stored
def faq(request):
    # PostgreSQL rejects NUL characters in string parameters.
    query = request.GET.get("q", "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]
    entries = FaqEntry.objects.published().prefetch_related(
        Prefetch("references", queryset=Reference.objects.only("pk", "key", "title"))
    )
    if query:
        entries = entries.filter(Q(question__icontains=query) | Q(answer__icontains=query))
    numbers = Reference.objects.citation_numbers()
    by_topic = {topic: [] for topic in FaqTopic}
    for entry in entries:
        entry.citations = numbered(entry.references.all(), numbers)
        by_topic[FaqTopic(entry.topic)].append(entry)
    context = {
        "query": query,
        "groups": [(topic, items) for topic, items in by_topic.items() if items],
        "match_count": sum(len(items) for items in by_topic.values()),
        "changes_about": [FaqEntry],
        "review": review_dates(),
    }
    template = "comparisons/faq.html"
    if wants_fragment(request):
        return render(request, f"{template}#faq-results", context)
    return render(request, template, context)
