from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from comparisons.models import Comparison
from treatments.models import Treatment


class PageSitemap(Sitemap):
    def items(self):
        return [
            "pages:home",
            "comparisons:faq",
            "pages:references",
            "pages:about",
            "pages:staying_safe",
            "pages:changes",
            "treatments:list",
        ]

    def location(self, item):
        return reverse(item)


class ComparisonSitemap(Sitemap):
    def items(self):
        return Comparison.objects.published()

    def lastmod(self, comparison):
        return comparison.last_reviewed


class TreatmentSitemap(Sitemap):
    def items(self):
        return Treatment.objects.published()

    def lastmod(self, treatment):
        return treatment.last_reviewed


SITEMAPS = {"pages": PageSitemap, "comparisons": ComparisonSitemap, "treatments": TreatmentSitemap}
