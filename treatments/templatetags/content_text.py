"""Template filters for staff-written content: `{% load content_text %}{{ faq.answer|markdown }}`."""

from django import template

from treatments.rich_text import render_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(value):
    """Render staff Markdown as sanitised HTML (links, emphasis, lists, paragraphs only)."""
    return render_markdown(value)
