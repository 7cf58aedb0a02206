from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from config.cache import cache_public_page

from .models import CautionKind, Reference, Treatment
from .numbers import benefit_estimate, side_effect_estimate
from .presentation import numbered


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
    numbers = Reference.objects.citation_numbers()
    profile = {}
    for citation in treatment.citations.all():
        profile.setdefault(citation.topic, []).append(citation.reference)
    for link in treatment.indication_links.all():
        link.citations = numbered(link.references.all(), numbers)
        link.facts = link.schedule_facts()
        link.benefit = benefit_estimate(link, numbers)
    for part in [*treatment.side_effects.all(), *treatment.cautions.all()]:
        part.citations = numbered(part.references.all(), numbers)
    for effect in treatment.side_effects.all():
        effect.estimate = side_effect_estimate(effect, numbers)
    cautions = treatment.cautions.all()
    context = {
        "treatment": treatment,
        "profile": {topic: numbered(refs, numbers) for topic, refs in profile.items()},
        "session_lines": treatment.session_lines(),
        "downtime": treatment.downtime_line(),
        "should_not": [c for c in cautions if c.kind == CautionKind.SHOULD_NOT],
        "tell_practitioner": [c for c in cautions if c.kind == CautionKind.TELL_PRACTITIONER],
        "changes_about": [treatment],
        "review": treatment,
    }
    return render(request, "treatments/treatment_detail.html", context)
