from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from config.cache import cache_public_page

from .models import Reference, Treatment
from .rows import TreatmentRows


@require_safe
@cache_public_page
def treatment_list(request):
    treatments = Treatment.objects.published()
    review = {
        "last_reviewed": max((t.last_reviewed for t in treatments), default=None),
        "next_review_due": min((t.next_review_due for t in treatments), default=None),
        # Empty ("Not yet checked by a clinician") unless every treatment listed has a clinician's sign-off.
        "reviewed_by": "; ".join(sorted({t.reviewed_by for t in treatments}))
        if all(t.reviewed_by for t in treatments)
        else "",
    }
    return render(request, "treatments/treatment_list.html", {"treatments": treatments, "review": review})


@require_safe
@cache_public_page
def treatment_detail(request, slug):
    treatment = get_object_or_404(Treatment.objects.published().for_comparison(), slug=slug)
    context = {
        "treatment": treatment,
        "rows": TreatmentRows(treatment, Reference.objects.citation_numbers()),
        "changes_about": [treatment],
        "review": treatment,
    }
    return render(request, "treatments/treatment_detail.html", context)
