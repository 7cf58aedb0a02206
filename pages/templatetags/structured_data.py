import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.simple_tag(takes_context=True)
def json_ld(context, page_type="MedicalWebPage", name="", description=""):
    """Structured data for search engines, as a data block browsers never execute."""
    request = context["request"]
    data = {
        "@context": "https://schema.org",
        "@type": page_type,
        "name": name,
        "description": description,
        "url": request.build_absolute_uri(request.path),
        "inLanguage": "en-GB",
    }
    review = context.get("review")
    if review is not None:
        last = review.get("last_reviewed") if isinstance(review, dict) else review.last_reviewed
        if last:
            data["lastReviewed"] = last.isoformat()
    encoded = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))


@register.simple_tag
def faq_json_ld(groups):
    data = {
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "mainEntity": [
            {"@type": "Question", "name": entry.question, "acceptedAnswer": {"@type": "Answer", "text": entry.answer}}
            for _, entries in groups
            for entry in entries
        ],
    }
    encoded = json.dumps(data, ensure_ascii=False).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(encoded))
