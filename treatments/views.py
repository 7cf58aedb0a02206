from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from .models import Treatment


@require_GET
def treatment_list(request):
    return render(request, "treatments/treatment_list.html", {"treatments": Treatment.objects.published()})


@require_GET
def treatment_detail(request, slug):
    treatment = get_object_or_404(Treatment.objects.published().for_comparison(), slug=slug)
    return render(request, "treatments/treatment_detail.html", {"treatment": treatment})
