"""Staff preview of a draft, exactly as patients would see it once published.

The patient view functions run unchanged; PREVIEW_DRAFT makes `.published()` also let through the
one item being previewed. Staff only, never cached, marked noindex, with a visible banner.

Switch it on with one line in config/urls.py:  path("preview/", include("treatments.preview")),
"""

from django.contrib.admin.views.decorators import staff_member_required
from django.urls import path
from django.views.decorators.cache import never_cache

from comparisons import views as comparison_views
from comparisons.models import Comparison

from . import views as treatment_views
from .models import PREVIEW_DRAFT, Treatment

BANNER = '<div class="preview-banner" role="status"><p><strong>Preview: {state}.</strong> {note}</p></div>'


def previewing(model, view):
    @never_cache
    @staff_member_required
    def preview(request, slug):
        obj = model._default_manager.filter(slug=slug).only("pk", "status").first()
        token = PREVIEW_DRAFT.set({model._meta.label: obj.pk} if obj else {})
        try:
            response = view(request, slug=slug)
        finally:
            PREVIEW_DRAFT.reset(token)
        if hasattr(response, "render"):
            response.render()
        if obj is not None and obj.is_published:
            banner = BANNER.format(state="published", note="This is what patients see now.")
        else:
            banner = BANNER.format(state="not published", note="Patients cannot see this page until it is published.")
        if response.get("Content-Type", "").startswith("text/html") and b"<body" in response.content:
            body = response.content.index(b"<body")
            end = response.content.index(b">", body) + 1
            response.content = response.content[:end] + banner.encode() + response.content[end:]
        response["X-Robots-Tag"] = "noindex, nofollow"
        response.public_page_cache_timeout = None  # never stored by config.cache's middleware
        return response

    return preview


app_name = "preview"
urlpatterns = [
    path("treatments/<slug:slug>/", previewing(Treatment, treatment_views.treatment_detail), name="treatment"),
    path("compare/<slug:slug>/", previewing(Comparison, comparison_views.comparison_detail), name="comparison"),
]
