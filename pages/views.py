"""Site-wide pages: home, about, the sources list and robots.txt."""

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from comparisons.models import ComparisonPoint
from comparisons.views import main_comparison, review_dates
from config.cache import cache_public_page
from treatments.models import Indication, Reference, Treatment


@require_GET
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
            "indications": Indication.objects.all(),
            "treatments": Treatment.objects.published(),
            "key_differences": key_differences,
            "review": review_dates(),
        },
    )


@require_GET
@cache_public_page
def references(request):
    return render(
        request,
        "pages/references.html",
        {"references": Reference.objects.order_by("year", "key"), "review": review_dates()},
    )


@require_GET
@cache_public_page
def about(request):
    return render(request, "pages/about.html", {"review": review_dates()})


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    lines = ["User-agent: *", "Allow: /", f"Sitemap: {sitemap_url}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
