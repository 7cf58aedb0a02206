"""Staff Markdown is rendered and sanitised: ordinary formatting works, and no hostile input
can put a script, an event handler, a style, an htmx attribute or a dangerous link on a page."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.template import Context, Template

from treatments.rich_text import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES, clean_html, render_markdown

HOSTILE = Path(__file__).with_name("hostile_markdown.txt").read_text(encoding="utf-8").split("\n%%\n")


class TagCollector(HTMLParser):
    """Every start tag and its attributes, with entity references already decoded."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


def tags_in(output):
    parser = TagCollector()
    parser.feed(output)
    parser.close()
    return parser.tags


def url_scheme(href):
    """The scheme a browser would find (WHATWG URL parsing): control characters and spaces at
    the ends are dropped, tabs and newlines anywhere are dropped, and the scheme is letters,
    digits, "+", "-" and "." up to the first colon. None means a relative link."""
    url = re.sub(r"[\t\n\r]", "", (href or "").strip("".join(map(chr, range(33)))))
    match = re.match(r"([a-zA-Z][a-zA-Z0-9+.-]*):", url)
    return match[1].lower() if match else None


def assert_safe(output):
    for tag, attrs in tags_in(output):
        assert tag in ALLOWED_TAGS, f"<{tag}> survived: {output!r}"
        for name, value in attrs:
            assert not name.startswith("on"), f"event handler {name} survived: {output!r}"
            assert name != "style", output
            assert not name.startswith(("hx-", "data-hx")), f"htmx attribute {name} survived: {output!r}"
            assert name in ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel"}, f"{tag}[{name}] survived: {output!r}"
            if name == "href":
                scheme = url_scheme(value)
                assert scheme in ALLOWED_URL_SCHEMES or scheme is None, f"href {value!r} survived: {output!r}"


def test_the_corpus_is_big_enough():
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("vector", HOSTILE, ids=[f"v{n:02d}" for n in range(len(HOSTILE))])
def test_hostile_markdown_is_made_safe(vector):
    assert_safe(render_markdown(vector))


@pytest.mark.parametrize("vector", HOSTILE, ids=[f"v{n:02d}" for n in range(len(HOSTILE))])
def test_hostile_html_is_made_safe_by_the_sanitiser_alone(vector):
    """Defence in depth: even if the Markdown step let raw HTML through, nh3 would clean it."""
    assert_safe(clean_html(vector))


def test_raw_html_is_shown_as_text_not_markup():
    assert render_markdown("<script>alert(1)</script>") == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"


def test_the_checker_catches_unsafe_output():
    """Guards the guard: the assertions above really do fail on hostile HTML."""
    for unsafe in [
        "<script>alert(1)</script>",
        '<a href="javascript:alert(1)">x</a>',
        '<a href="JaVa&#x09;ScRiPt:alert(1)">x</a>',
        '<p onclick="x">x</p>',
        '<a hx-get="/x">x</a>',
        '<p style="color:red">x</p>',
    ]:
        with pytest.raises(AssertionError):
            assert_safe(unsafe)


def test_emphasis_and_paragraphs():
    assert render_markdown("Most people have **mild** swelling.\n\nIt goes in *a few* days.") == (
        "<p>Most people have <strong>mild</strong> swelling.</p>\n<p>It goes in <em>a few</em> days.</p>"
    )


def test_lists():
    assert render_markdown("- bruising\n- swelling\n\n1. first\n2. second") == (
        "<ul>\n<li>bruising</li>\n<li>swelling</li>\n</ul>\n<ol>\n<li>first</li>\n<li>second</li>\n</ol>"
    )


def test_https_and_mailto_links_get_rel():
    assert render_markdown('[NHS advice](https://www.nhs.uk/conditions/hair-loss/ "NHS")') == (
        '<p><a href="https://www.nhs.uk/conditions/hair-loss/" title="NHS" rel="noopener noreferrer">NHS advice</a></p>'
    )
    assert 'href="mailto:clinic@example.com"' in render_markdown("[email us](mailto:clinic@example.com)")


def test_single_line_breaks_are_kept():
    assert render_markdown("One line.\nAnother line.") == "<p>One line.<br>\nAnother line.</p>"


def test_headings_are_not_rendered_as_headings():
    """A page has exactly one <h1>; staff text never adds another heading."""
    assert "<h" not in render_markdown("# Big\n\nSub\n---")


def test_empty_values():
    assert render_markdown("") == ""
    assert render_markdown(None) == ""


def test_template_filter():
    template = Template("{% load content_text %}{{ value|markdown }}")
    output = template.render(Context({"value": "**Bold** <b onclick=x>raw</b>"}))
    assert output == "<p><strong>Bold</strong> &lt;b onclick=x&gt;raw&lt;/b&gt;</p>"
