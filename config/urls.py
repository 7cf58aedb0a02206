from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.views.decorators.http import require_safe

from config.health import healthz, server_error
from pages.sitemaps import SITEMAPS
from pages.views import robots_txt

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_PATH, admin.site.urls),
    path("treatments/", include("treatments.urls")),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", robots_txt, name="robots"),
    path("", include("pages.urls")),
    path("", include("comparisons.urls")),
    path("", include("comparisons.values_urls")),
]

handler500 = server_error
