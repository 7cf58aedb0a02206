"""Staff-written Markdown, made safe to show to patients.

Markdown is rendered by markdown-it-py with raw HTML switched off (any HTML a
writer types is shown as text), then the result goes through nh3 (the Rust
`ammonia` sanitiser) with a small allowlist. Either step alone should be enough;
both together mean a bug in one does not put a script on a page.

Rendering is a pure function of the text, so `render_markdown` keeps a bounded cache keyed on the text
itself: each version of a text is rendered once per process, not on every request, and no stored copy can
go stale. An edit, a restore, a preview or a fixture loaded with raw=True (which skips save()) changes the
text, and the new text is a new key. Only staff-written content is rendered, so the distinct texts are
few; the bound keeps memory fixed whatever reaches it.
"""

from functools import lru_cache

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

# Block syntax that patient pages don't use: headings would break the page's outline,
# indented code blocks surprise writers who indent a paragraph, images need alt text review.
_DISABLED_RULES = ["heading", "lheading", "hr", "code", "fence", "blockquote", "image", "html_block", "html_inline"]

_markdown = MarkdownIt("commonmark", {"html": False, "breaks": True}).disable(_DISABLED_RULES)
_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_html(html):
    """Strip everything outside the allowlist from an HTML fragment; links get rel="noopener noreferrer"."""
    return mark_safe(_cleaner.clean(str(html)).strip())


RENDERED_CACHE_SIZE = 2048


@lru_cache(maxsize=RENDERED_CACHE_SIZE)
def _render(text):
    return clean_html(_markdown.render(text))


def render_markdown(text):
    """Markdown from a staff member -> sanitised HTML that is safe to put on a page (rendered once per text)."""
    if not text:
        return SafeString("")
    return _render(str(text))
