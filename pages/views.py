"""Site-wide pages: home, about, staying safe, the sources list, what has changed, and robots.txt."""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_safe

from comparisons.models import ComparisonPoint
from comparisons.views import main_comparison, review_dates
from config.cache import cache_public_page
from treatments.models import CitationTopic, Indication, Reference, Treatment
from treatments.presentation import numbered
from workflow.readability import SMOG_TARGET

from .changes import PER_PAGE, describe, public_changes
from .reading_grades import reading_grades


@require_safe
@cache_public_page
def home(request):
    comparison = main_comparison()
    numbers = Reference.objects.citation_numbers()
    key_differences = []
    if comparison:
        # Each key difference shows its sources here too: the home page makes no claim without one.
        key_differences = list(
            comparison.points.filter(kind=ComparisonPoint.Kind.KEY_DIFFERENCE).prefetch_related("references")
        )
        for point in key_differences:
            point.citations = numbered(point.references.all(), numbers)
    treatments = list(Treatment.objects.published().prefetch_related("citations__reference"))
    for treatment in treatments:
        treatment.summary_citations = numbered(
            (c.reference for c in treatment.citations.all() if c.topic == CitationTopic.SUMMARY), numbers
        )
    return render(
        request,
        "pages/home.html",
        {
            "comparison": comparison,
            "indications": Indication.objects.published(),
            "treatments": treatments,
            "key_differences": key_differences,
            "review": review_dates(),
        },
    )


@require_safe
@cache_public_page
def references(request):
    return render(
        request,
        "pages/references.html",
        {
            # Published only, in the order Reference.objects.citation_numbers() numbers them.
            "references": Reference.objects.published().order_by("year", "key"),
            "changes_about": [Reference],
            "review": review_dates(),
        },
    )


@require_safe
@cache_public_page
def about(request):
    grades = reading_grades()  # a fixed number of queries (pages/reading_grades.py)
    context = {
        "grades": grades,
        "unchecked": [page for page in grades if page.reviewed_by == ""],
        "smog_target": SMOG_TARGET,
        "review": review_dates(),
    }
    return render(request, "pages/about.html", context)


@require_safe
@cache_public_page
def staying_safe(request):
    # Fixed text from official pages, so no review dates: those are the content's, not this page's.
    return render(request, "pages/staying_safe.html")


@require_safe
@cache_public_page(query=("page",))
def changes(request):
    asked = request.GET.get("page", "")
    if asked:
        digits = asked.strip().lstrip("+")
        if not digits.isdecimal() or len(digits) > 6:  # isdigit() also takes "²", which int() refuses
            raise Http404("There is no such page of changes.")
        if asked != str(int(digits)):  # one address per page (?page=01, +1 and " 1" are page 1), one cached copy
            return redirect(f"{request.path}?page={int(digits)}")
    paginator = Paginator(public_changes(), PER_PAGE)
    try:
        page = paginator.page(asked or 1)
    except InvalidPage as error:
        raise Http404("There is no such page of changes.") from error
    context = {"page": page, "changes": describe(page.object_list), "review": review_dates()}
    return render(request, "pages/changes.html", context)


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    lines = ["User-agent: *", "Allow: /", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
