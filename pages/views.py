"""Site-wide pages: home, about, the sources list, what has changed, and robots.txt."""

from django.core.paginator import InvalidPage, Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from comparisons.models import ComparisonPoint
from comparisons.views import main_comparison, review_dates
from config.cache import cache_public_page
from treatments.models import Indication, Reference, Treatment

from .changes import PER_PAGE, describe, public_changes


@require_safe
@cache_public_page
def home(request):
    comparison = main_comparison()
    key_differences = []
    if comparison:
        key_differences = comparison.points.filter(kind=ComparisonPoint.Kind.KEY_DIFFERENCE)
    return render(
        request,
        "pages/home.html",
        {
            "comparison": comparison,
            "indications": Indication.objects.published(),
            "treatments": Treatment.objects.published(),
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
    return render(request, "pages/about.html", {"review": review_dates()})


@require_safe
@cache_public_page(query=("page",))
def changes(request):
    paginator = Paginator(public_changes(), PER_PAGE)
    try:
        page = paginator.page(request.GET.get("page") or 1)
    except InvalidPage as error:
        raise Http404("There is no such page of changes.") from error
    context = {"page": page, "changes": describe(page.object_list), "review": review_dates()}
    return render(request, "pages/changes.html", context)


@require_safe
def robots_txt(request):
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    lines = ["User-agent: *", "Allow: /", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
