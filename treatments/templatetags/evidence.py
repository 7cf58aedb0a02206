"""The small pieces a comparison repeats dozens of times, written in Python instead of an included template.

    {% load evidence %}{% citations cell.citations %}   numbered links to the reference list
    {% icon_array estimate.icons %}                     100 figures, the first `count` filled, as one SVG
    {% icon_figures %}                                  the two figures (filled, outline) the arrays tile

A comparison of two options shows about 120 sets of citations and 600 icon figures; as included templates,
each `{% include %}` copied the context and rendered a node list, and each figure rendered its position
numbers. These tags print the same markup at a fraction of the cost of a page that misses the page cache.

An icon array is drawn as at most four rectangles tiled with a figure (an SVG pattern, defined once per page
by `icon_figures` in base.html): full rows of filled figures, the filled and the outline part of the row
where the count ends, and full rows of outlines. That is about 400 bytes where 100 separate figures took
12,800; a comparison of two options shows six arrays.
"""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from treatments.numbers import IconArray

register = template.Library()

NEWLINE = "\n"  # each component template ends with one, which its include prints
FIGURE = '<circle cx="7" cy="3.6" r="2.4"/><path d="M3.2 13V9.2a3.8 3.3 0 0 1 7.6 0V13z"/>'
FILLED, OUTLINE = "icon-figure-filled", "icon-figure-outline"


@lru_cache(maxsize=16)
def _references_url(script_prefix):
    # URL patterns are fixed while the process runs; the prefix (SCRIPT_NAME) is part of the key.
    return reverse("pages:references")


@register.simple_tag
def citations(citations):
    """Numbered links to the reference list, each at least 24px square (site.css `.cite`)."""
    if not citations:
        return NEWLINE
    url = conditional_escape(_references_url(get_script_prefix()))
    links = "".join(
        format_html(
            '<a class="cite" href="{}#ref-{}" title="{}"><span class="visually-hidden">Source </span>[{}]</a>',
            url,
            citation.key,
            citation.title,
            citation.number,
        )
        for citation in citations
    )
    return mark_safe(f'<span class="citations">{links}</span>{NEWLINE}')


@register.simple_tag
def icon_figures():
    """The two figures (filled and outline) icon arrays are tiled with; once per page, anywhere in it, as
    `url(#id)` finds them wherever they are (base.html puts them last; site.css `.icon-figures`)."""
    cell = IconArray.CELL
    patterns = "".join(
        f'<pattern id="{pattern}" class="{pattern}" patternUnits="userSpaceOnUse" width="{cell}" height="{cell}">'
        f"{FIGURE}</pattern>"
        for pattern in (FILLED, OUTLINE)
    )
    return mark_safe(
        f'<svg class="icon-figures" aria-hidden="true" focusable="false" width="0" height="0"><defs>{patterns}'
        f"</defs></svg>"
    )


def _rect(x, y, width, height, pattern):
    return f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="url(#{pattern})"/>' if width * height else ""


@lru_cache(maxsize=128)
def _figures_svg(count, size, cell):
    full_rows, rest = divmod(count, size)
    side = size * cell
    top, row_end = full_rows * cell, rest * cell
    below = top + (cell if rest else 0)
    return (
        _rect(0, 0, side, top, FILLED)
        + _rect(0, top, row_end, cell if rest else 0, FILLED)
        + _rect(row_end, top, side - row_end, cell if rest else 0, OUTLINE)
        + _rect(0, below, side, side - below, OUTLINE)
    )


@register.simple_tag
def icon_array(icons):
    """An IconArray (treatments.numbers): an image whose text alternative is the number in words."""
    if not isinstance(icons, IconArray):
        return NEWLINE
    label = conditional_escape(icons.label)
    return mark_safe(
        f'<svg class="icon-array" role="img" aria-label="{label}" viewBox="0 0 {icons.width} {icons.width}" '
        f'width="{icons.width}" height="{icons.width}" focusable="false"><title>{label}</title>'
        f"{_figures_svg(icons.count, icons.SIZE, icons.CELL)}</svg>{NEWLINE}"
    )
