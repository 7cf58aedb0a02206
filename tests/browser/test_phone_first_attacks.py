"""Hostile tests of the phone-first comparison (issue 11, item 1), written by someone who did not build it.

Each test states what a patient should get. A failing test is a bug found; the passing ones guard something a
patient relies on (no sideways scrolling, the table height, print, the cache, the live region).
Browser tests drive Debian's Chromium (/usr/bin/chromium) through Playwright against the live test server.
"""

import itertools
import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from .axe import violations

COMPARE = "/compare/mesotherapy-vs-prp/"
VALUES = "/compare/mesotherapy-vs-prp/what-matters/"
OPTIONS = (
    "mesotherapy",
    "prp",
    "no-treatment",
    "minoxidil",
    "finasteride",
    "chemical-peel",
    "daily-sunscreen",
    "tretinoin",
)
CONCERNS = ("hair-loss", "facial-skin", "dark-circles", "body-skin")
FOUR = {
    "hair-loss": ("mesotherapy", "prp", "minoxidil", "finasteride"),
    "facial-skin": ("mesotherapy", "prp", "tretinoin", "daily-sunscreen"),
    "dark-circles": ("mesotherapy", "prp", "chemical-peel", "no-treatment"),
    "body-skin": ("mesotherapy", "prp", "chemical-peel", "no-treatment"),
}
ANSWERS = "&cost=a-lot&needles=a-lot&evidence=a-lot&side-effects=a-lot&soon=can-wait"


def compare(concern, options):
    return f"{COMPARE}?concern={concern}" + "".join(f"&treatments={slug}" for slug in options)


def values_pages(concern="hair-loss", options=FOUR["hair-loss"]):
    query = f"?concern={concern}" + "".join(f"&treatments={slug}" for slug in options)
    return [VALUES + query, VALUES + "answers/" + query + ANSWERS, VALUES + "summary/" + query + ANSWERS]


def new_page(browser, width, height=800, text_zoom=False, **options):
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    page = context.new_page()
    if text_zoom:
        # The browser's own text size setting (Chrome: Settings > Appearance > Font size), doubled: 16px -> 32px.
        # Unlike CSS injected into the page, it also moves the rem-based breakpoints, as a real browser does.
        cdp = context.new_cdp_session(page)
        cdp.send("Page.enable")
        cdp.send("Page.setFontSizes", {"fontSizes": {"standard": 32, "fixed": 26}})
    return page


SIDEWAYS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  if (document.documentElement.scrollWidth > width) out.push('page scrollWidth ' + document.documentElement.scrollWidth);
  for (const e of document.querySelectorAll('main *')) {
    const box = e.getBoundingClientRect();
    if (box.width <= 1) continue;  // visually-hidden text
    const closed = e.closest('details:not([open])');
    if (closed && !e.closest('summary')) continue;  // folded away: laid out but not shown
    const clipped = e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible';
    const spills = e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0 && box.right + (e.scrollWidth - e.clientWidth) > width + 0.5
      && !e.classList.contains('visually-hidden') && getComputedStyle(e).display !== 'inline';
    if (box.right > width + 0.5 || clipped || spills)
      out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className : '')
        + ' right=' + Math.round(box.right) + ' scrollWidth=' + e.scrollWidth);
    if (out.length > 5) break;
  }
  return out;
}"""


def sideways(page, path):
    page.goto(page.context._site + path)
    return page.evaluate(SIDEWAYS)


def pages_to_check():
    return [
        COMPARE,
        *(compare(concern, FOUR[concern]) for concern in CONCERNS),
        compare("body-skin", OPTIONS),  # all eight
        "/treatments/prp/",
        "/treatments/finasteride/",
        "/treatments/no-treatment/",
        *values_pages(),
    ]


# --- Reflow: nothing in <main> scrolls sideways ---------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 360, 414])
def test_no_sideways_scrolling_at_phone_widths_on_every_page_kind(site, browser, width):
    page = new_page(browser, width)
    page.context._site = site
    found = {path: sideways(page, path) for path in pages_to_check()}
    page.context.close()
    assert {path: bad for path, bad in found.items() if bad} == {}


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 375])
def test_no_sideways_scrolling_on_every_concern_with_2_to_8_options(site, browser, width):
    """Every concern with a spread of option sets (every pair with an injected option, every 8)."""
    page = new_page(browser, width)
    page.context._site = site
    sets = [*itertools.combinations(OPTIONS, 2), *list(itertools.combinations(OPTIONS, 5))[::6], OPTIONS]
    bad = {}
    for concern in CONCERNS:
        for options in sets:
            path = compare(concern, options)
            found = sideways(page, path)
            if found:
                bad[path] = found
    page.context.close()
    assert bad == {}


@pytest.mark.browser
@pytest.mark.parametrize("width", [320, 375, 414])
def test_text_zoomed_to_200_percent_nothing_scrolls_sideways(site, browser, width):
    """WCAG 1.4.4 / 1.4.10: a patient with the browser's text size doubled. Found: the h1 "Mesotherapy or
    PRP?" does not wrap inside the word and runs off the screen (the page scrolls sideways to 479px), and the
    treatments fieldset keeps its min-content width (fieldset's default min-inline-size) and overflows <main>."""
    page = new_page(browser, width, text_zoom=True)
    page.context._site = site
    paths = [COMPARE, compare("hair-loss", FOUR["hair-loss"]), "/treatments/prp/", VALUES, "/"]
    found = {path: sideways(page, path) for path in paths}
    page.context.close()
    assert {path: bad for path, bad in found.items() if bad} == {}


@pytest.mark.browser
def test_text_zoomed_to_200_percent_at_1280_the_table_still_fits(site, browser):
    page = new_page(browser, 1280, text_zoom=True)
    page.context._site = site
    found = {
        path: sideways(page, path) for path in (compare("hair-loss", FOUR["hair-loss"]), compare("body-skin", OPTIONS))
    }
    page.context.close()
    assert {path: bad for path, bad in found.items() if bad} == {}


@pytest.mark.browser
@pytest.mark.parametrize("width", [640, 768, 1024])
def test_tablet_widths_with_eight_options_do_not_scroll_sideways(site, browser, width):
    """From 40rem the table is a true table: eight columns plus the row headings in 640px."""
    page = new_page(browser, width)
    page.context._site = site
    found = sideways(page, compare("hair-loss", OPTIONS))
    page.context.close()
    assert found == []


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [(640, 360), (740, 360), (768, 1024)])
@pytest.mark.parametrize("count", [6, 8])
def test_from_40rem_many_options_stay_readable(site, browser, viewport, count):
    """Found: from 40rem the table is always a true table, however many columns. With 8 options on a phone
    held sideways (640x360) or a tablet (768 px), each option's column is 35-40px wide: the option names
    ("S/u/n/s/c/r/e/e/n") and the row headings break after every letter, a cell's side-effect list runs over
    1,300px tall, and the sticky row of names covers 266px of a 360px-high screen."""
    width, height = viewport
    page = new_page(browser, width, height)
    page.goto(site + compare("hair-loss", OPTIONS[:count]))
    names = page.locator("#comparison-table thead th")
    boxes = [box for box in (names.nth(i).bounding_box() for i in range(names.count())) if box]  # None: hidden
    visible = [box["width"] for box in boxes if box["width"] > 0]
    header = max((box["height"] for box in boxes), default=0)
    page.context.close()
    if visible:  # a table: each option needs room for its name, and the names must leave room to read
        assert min(visible) >= 96, f"option columns {min(visible):.0f}px wide"
        assert header <= height / 3, f"the sticky option names are {header:.0f}px tall on a {height}px screen"


# --- Height of the phone layout -------------------------------------------------------------------------


@pytest.mark.browser
def test_the_tallest_four_option_comparisons_fit_in_6000px_at_375(site, browser):
    """Worst cases measured over all 70 four-option sets x 4 concerns (hair loss with both home treatments
    and a skin treatment is the tallest, about 5,850px)."""
    page = new_page(browser, 375)
    worst = [
        ("hair-loss", ("mesotherapy", "minoxidil", "finasteride", "chemical-peel")),
        ("hair-loss", ("prp", "minoxidil", "finasteride", "chemical-peel")),
        ("hair-loss", ("mesotherapy", "minoxidil", "finasteride", "tretinoin")),
        ("dark-circles", ("mesotherapy", "minoxidil", "finasteride", "chemical-peel")),
        ("body-skin", ("mesotherapy", "finasteride", "chemical-peel", "tretinoin")),
    ]
    heights = {}
    for concern, options in worst:
        page.goto(site + compare(concern, options))
        assert page.locator("#comparison-table details[open]").count() == 0
        heights[(concern, options)] = page.locator("#comparison-table").bounding_box()["height"]
    page.context.close()
    assert {k: round(h) for k, h in heights.items() if h > 6000} == {}


# --- Desktop: a true table with the option names in view -------------------------------------------------


@pytest.mark.browser
def test_desktop_eight_options_is_side_by_side_with_sticky_names(site, page):
    page.goto(site + compare("body-skin", OPTIONS))
    headers = page.locator("#comparison-table thead th")
    expect(headers).to_have_count(8)
    xs = [headers.nth(i).bounding_box()["x"] for i in range(8)]
    assert xs == sorted(xs) and len({round(x) for x in xs}) == 8
    for row in ("row-side-effects", "row-cost", "row-living-with"):
        page.locator(f"#{row}").scroll_into_view_if_needed()
        for i in range(8):
            box = headers.nth(i).bounding_box()
            assert -1 <= box["y"] < 5, f"{row}: option {i} name scrolled out of view"
    # The option names cover no answer under them: the row being read starts below the header.
    header_bottom = headers.first.bounding_box()["y"] + headers.first.bounding_box()["height"]
    page.locator("#row-cost").scroll_into_view_if_needed()
    assert page.locator("#row-cost").bounding_box()["y"] >= header_bottom - 1


@pytest.mark.browser
def test_desktop_sticky_names_survive_an_htmx_swap(site, page):
    page.goto(site + COMPARE)
    page.locator("input[name=treatments][value=minoxidil]").check()
    expect(page.locator("#comparison-table thead th")).to_have_count(3)
    page.locator("#row-cost").scroll_into_view_if_needed()
    assert 0 <= page.locator("#comparison-table thead th").first.bounding_box()["y"] < 5


# --- Print ------------------------------------------------------------------------------------------------


@pytest.mark.browser
def test_print_shows_every_disclosure_and_the_example_first_year_with_its_heading(site, page):
    """Every detail becomes visible in print. Found: the print stylesheet hides every `details.more summary`,
    and the example first year's heading ("An example first year of visits") is that summary's <h3>, so
    the printout shows its dots and captions under no heading at all."""
    page.goto(site + compare("hair-loss", FOUR["hair-loss"]))
    page.emulate_media(media="print")
    hidden = page.evaluate(
        """() => [...document.querySelectorAll('main details > :not(summary), main details > :not(summary) *')]
             .filter(e => e.getClientRects().length === 0 && getComputedStyle(e).display !== 'none'
                          && !e.closest('.visually-hidden') && !(e.closest('svg') && e.tagName.toLowerCase() !== 'svg'))
             .map(e => e.tagName.toLowerCase() + ' in ' + (e.closest('tr') ? e.closest('tr').id : 'first-year'))
             .slice(0, 5)"""
    )
    assert hidden == [], "detail text is still folded away in print"
    first_year = page.locator("details.first-year")
    expect(first_year.locator(".timeline").first).to_be_visible()
    expect(page.get_by_text("An example first year of visits")).to_be_visible()


@pytest.mark.browser
def test_print_of_the_summary_to_take_to_an_appointment_shows_every_detail(site, page):
    """The summary page is meant to be printed: the cells' details (the same cell.html) must print too."""
    page.goto(site + values_pages()[2])
    page.emulate_media(media="print")
    closed = page.locator("main details:not([open])")
    for index in range(closed.count()):
        detail = closed.nth(index)
        content = detail.locator(":scope > :not(summary)")
        if content.count():
            expect(content.first).to_be_visible()


# --- Fewer than two options --------------------------------------------------------------------------------


def headings(page):
    return page.locator("#comparison-table thead th").all_inner_texts()


@pytest.mark.browser
def test_unticking_every_option_keeps_the_message_and_the_last_comparison(site, page):
    """Found: from one option to none, htmx sends no `treatments` at all, the view reads that as "the usual
    options", and the table switches to Mesotherapy vs PRP with every box unticked, the message gone and the
    address changed. The patient unticked everything and is shown two options they did not choose."""
    page.goto(site + compare("hair-loss", ("minoxidil", "finasteride")))
    page.locator("input[name=treatments][value=minoxidil]").uncheck()
    message = page.locator("#choice-message")
    expect(message).to_contain_text("Choose at least two treatments")
    page.locator("input[name=treatments][value=finasteride]").uncheck()
    page.wait_for_load_state("networkidle")
    expect(message).to_contain_text("Choose at least two treatments")
    assert headings(page) == ["Minoxidil", "Finasteride"], "the table changed to options the patient did not choose"
    assert "treatments=minoxidil" in page.url


@pytest.mark.browser
def test_zero_then_one_then_two_ends_on_the_two_chosen(site, page):
    page.goto(site + COMPARE)
    page.locator("input[name=treatments][value=mesotherapy]").uncheck()
    page.locator("input[name=treatments][value=prp]").uncheck()
    page.locator("input[name=treatments][value=tretinoin]").check()
    expect(page.locator("#choice-message")).to_contain_text("Choose at least two treatments")
    page.locator("input[name=treatments][value=daily-sunscreen]").check()
    expect(page.locator("#comparison-table thead th")).to_have_text(["Sunscreen", "Tretinoin"])
    expect(page.locator("#choice-message")).to_have_text("")
    assert re.search(r"treatments=daily-sunscreen", page.url) and re.search(r"treatments=tretinoin", page.url)


@pytest.mark.browser
def test_switching_concern_with_one_option_ticked_says_so_and_then_switches_when_fixed(site, page):
    page.goto(site + COMPARE)
    page.locator("input[name=treatments][value=mesotherapy]").uncheck()
    expect(page.locator("#choice-message")).to_contain_text("Choose at least two")
    page.locator("input[name=concern][value=dark-circles]").check()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#choice-message")).to_contain_text("Choose at least two")
    expect(page.locator("#comparison-table h2")).to_contain_text("Side by side: Hair loss")  # the last good one
    expect(page.locator("#about-concern h2")).to_contain_text("About hair loss")  # matches the table, not the radio
    page.locator("input[name=treatments][value=chemical-peel]").check()
    expect(page.locator("#comparison-table h2")).to_contain_text("Side by side: Dark circles")
    expect(page.locator("#about-concern h2")).to_contain_text("About dark circles")
    expect(page.locator("#about-concern")).to_have_count(1)
    assert "concern=dark-circles" in page.url


@pytest.mark.browser
def test_back_after_a_refused_concern_switch_shows_a_page_whose_choices_match_its_table(site, page):
    """Back after the one-option message: whatever page the browser shows, its ticked boxes and concern must
    describe the table under them."""
    page.goto(site + COMPARE)
    page.locator("input[name=concern][value=facial-skin]").check()
    expect(page.locator("#comparison-table h2")).to_contain_text("Side by side: Facial skin")
    page.locator("input[name=treatments][value=mesotherapy]").uncheck()
    page.locator("input[name=concern][value=dark-circles]").check()
    expect(page.locator("#choice-message")).to_contain_text("Choose at least two")
    page.go_back()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#comparison-table h2")).to_contain_text("Side by side: Hair loss")
    expect(page.locator("input[name=concern][value=hair-loss]")).to_be_checked()
    checked = page.eval_on_selector_all("input[name=treatments]:checked", "es => es.map(e => e.value)")
    assert checked == ["mesotherapy", "prp"]
    expect(page.locator("#choice-message")).to_have_text("")
    expect(page.locator("#about-concern")).to_have_count(1)
    expect(page.locator("#about-concern h2")).to_contain_text("About hair loss")
    expect(page.locator("#comparison-table")).to_have_count(1)


@pytest.mark.browser
def test_one_option_without_javascript_keeps_what_the_patient_ticked(site, no_js_page):
    """Found: with JavaScript off, ticking only PRP and pressing "Show comparison" gives the error "Choose at
    least two treatments" next to two ticked boxes: the form is redrawn with the usual options ticked instead
    of what the patient chose, so the message contradicts what they see."""
    page = no_js_page
    page.goto(site + COMPARE)
    page.locator("input[name=treatments][value=mesotherapy]").uncheck()
    page.get_by_role("button", name="Show comparison").click()
    expect(page.locator("#choice-message")).to_contain_text("Choose at least two treatments")
    checked = page.eval_on_selector_all("input[name=treatments]:checked", "es => es.map(e => e.value)")
    assert checked == ["prp"], f"the boxes show {checked}, not what was sent"


@pytest.mark.browser
def test_no_options_without_javascript_gets_the_message(site, no_js_page):
    """Found: with JavaScript off, unticking every option and pressing "Show comparison" shows Mesotherapy vs
    PRP with no message at all (an empty checkbox group sends nothing, read as "the usual options")."""
    page = no_js_page
    page.goto(site + compare("hair-loss", ("minoxidil", "finasteride")))
    page.locator("input[name=treatments][value=minoxidil]").uncheck()
    page.locator("input[name=treatments][value=finasteride]").uncheck()
    page.get_by_role("button", name="Show comparison").click()
    expect(page.locator("#choice-message")).to_contain_text("Choose at least two treatments")


@pytest.mark.browser
def test_the_message_is_in_a_live_region_present_before_it_changes(site, page):
    page.goto(site + COMPARE)
    region = page.locator("#choice-message")
    expect(region).to_have_attribute("aria-live", "polite")
    handle = region.element_handle()
    page.locator("input[name=treatments][value=mesotherapy]").uncheck()
    expect(region).to_contain_text("Choose at least two")
    # The same element (not a replacement), so screen readers announce the change.
    assert page.evaluate("el => el.isConnected && el === document.getElementById('choice-message')", handle)
    assert page.locator("[id=choice-message]").count() == 1
    # Focus stays on the box the patient just unticked.
    assert page.evaluate("document.activeElement.value") == "mesotherapy"


@pytest.mark.browser
def test_in_debug_mode_one_option_keeps_the_page(site, page, settings):
    """Found (developers and reviewers running DJANGO_DEBUG=1, as the README's runserver does): django-htmx's
    debug script replaces the whole document with any 400 response, so unticking to one option wipes the page
    and leaves only the message fragment (no table, no choices, no navigation)."""
    settings.DEBUG = True
    page.goto(site + COMPARE)
    page.locator("input[name=treatments][value=mesotherapy]").uncheck()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#choice-message")).to_contain_text("Choose at least two")
    expect(page.locator("#comparison-table")).to_have_count(1)
    expect(page.locator("form.chooser")).to_have_count(1)


# --- About this concern (out-of-band swap) and history ----------------------------------------------------


@pytest.mark.browser
def test_about_section_follows_the_concern_and_back_does_not_duplicate_it(site, page):
    page.goto(site + COMPARE)
    page.locator("input[name=concern][value=dark-circles]").check()
    expect(page.locator("#about-concern h2")).to_contain_text("About dark circles")
    page.locator("input[name=concern][value=body-skin]").check()
    expect(page.locator("#comparison-table h2")).to_contain_text("Neck")
    page.go_back()
    expect(page.locator("#comparison-table h2")).to_contain_text("Side by side: Dark circles")
    expect(page.locator("#about-concern h2")).to_contain_text("About dark circles")
    expect(page.locator("input[name=concern][value=dark-circles]")).to_be_checked()
    page.go_back()
    expect(page.locator("#comparison-table h2")).to_contain_text("Side by side: Hair loss")
    expect(page.locator("#about-concern h2")).to_contain_text("About hair loss")
    expect(page.locator("input[name=concern][value=hair-loss]")).to_be_checked()
    for selector in ("#about-concern", "#comparison-table", "#choice-message", "form.chooser", "main h1"):
        expect(page.locator(selector)).to_have_count(1)


@pytest.mark.browser
def test_after_back_the_concern_ticked_is_the_concern_shown_and_the_next_change_keeps_it(site, page):
    """Found: htmx's history snapshot keeps the `checked` attributes the page was first drawn with, not the
    boxes' current state. Change the concern to Dark circles, then to Neck, then press Back: the table and the
    About section say Dark circles, but the Hair loss radio is ticked. Ticking "No treatment" next then sends
    concern=hair-loss, and the table jumps back to hair loss, which the patient never chose again."""
    page.goto(site + COMPARE)
    page.locator("input[name=concern][value=dark-circles]").check()
    expect(page.locator("#comparison-table h2")).to_contain_text("Dark circles")
    page.locator("input[name=concern][value=body-skin]").check()
    expect(page.locator("#comparison-table h2")).to_contain_text("Neck")
    page.go_back()
    expect(page.locator("#comparison-table h2")).to_contain_text("Dark circles")
    page.wait_for_load_state("networkidle")
    concern = page.eval_on_selector_all("input[name=concern]:checked", "es => es.map(e => e.value)")
    assert concern == ["dark-circles"], f"the table shows dark circles, the choices say {concern}"
    page.locator("input[name=treatments][value=no-treatment]").check()
    expect(page.locator("#comparison-table thead th")).to_have_count(3)
    expect(page.locator("#comparison-table h2")).to_contain_text("Dark circles")


@pytest.mark.browser
def test_back_from_another_page_after_htmx_changes_gives_the_whole_page(site, page):
    """The address htmx pushed, reached again with Back from a full page load (the htmx history cache
    emptied, as after a crash or in a new tab session): the browser must get the page, never the fragment."""
    page.goto(site + COMPARE)
    page.locator("input[name=concern][value=dark-circles]").check()
    expect(page.locator("#comparison-table h2")).to_contain_text("Side by side: Dark circles")
    page.evaluate("localStorage.clear()")
    page.locator("#comparison-table thead th a").first.click()
    page.wait_for_url(re.compile("/treatments/"))
    page.go_back()
    page.wait_for_load_state("networkidle")
    expect(page.locator("header.site-header")).to_have_count(1)
    expect(page.locator("main h1")).to_have_count(1)
    expect(page.locator("#comparison-table h2")).to_contain_text("Side by side: Dark circles")
    expect(page.locator("#about-concern")).to_have_count(1)
    expect(page.locator("#about-concern h2")).to_contain_text("About dark circles")


@pytest.mark.browser
def test_a_shared_address_opens_the_same_comparison(site, page, browser):
    page.goto(site + COMPARE)
    page.locator("input[name=concern][value=facial-skin]").check()
    page.locator("input[name=treatments][value=tretinoin]").check()
    expect(page.locator("#comparison-table thead th")).to_have_count(3)
    shown = headings(page)
    other = browser.new_context(java_script_enabled=False).new_page()
    other.goto(page.url)
    assert headings(other) == shown
    expect(other.locator("#about-concern h2")).to_contain_text("About facial skin")
    other.context.close()


# --- Accessibility -----------------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("concern", CONCERNS)
def test_axe_on_every_concerns_four_option_comparison(site, browser, concern):
    found = {}
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 800}):
        found[viewport["width"]] = violations(browser, site + compare(concern, FOUR[concern]), viewport)
    assert found == {1280: [], 375: []}


@pytest.mark.browser
def test_axe_on_treatment_and_values_pages(site, browser):
    found = {}
    for path in ("/treatments/prp/", "/treatments/minoxidil/", "/treatments/no-treatment/", *values_pages()):
        for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 800}):
            bad = violations(browser, site + path, viewport)
            if bad:
                found[(path, viewport["width"])] = bad
    assert found == {}


@pytest.mark.browser
def test_axe_on_the_one_option_message_page_without_javascript(site, browser):
    assert violations(browser, site + compare("dark-circles", ("prp",)), {"width": 375, "height": 800}) == []


NAMES = """() => [...document.querySelectorAll('main summary')].map(s => s.textContent.replace(/\\s+/g, ' ').trim())"""


@pytest.mark.browser
@pytest.mark.parametrize("path", [compare("body-skin", OPTIONS), *values_pages()])
def test_every_details_disclosure_has_a_unique_accessible_name(site, page, path):
    """Found on the answers page: a fact that answers two questions (sessions in a first course answers both
    "needles" and "how soon") is shown twice, so a screen reader's list of controls holds two identical
    "Details: sessions in a first course, Mesotherapy" disclosures."""
    page.goto(site + path)
    names = page.evaluate(NAMES)
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert repeated == []


@pytest.mark.browser
def test_no_repeated_ids_on_the_values_pages(site, page):
    for path in values_pages():
        page.goto(site + path)
        ids = page.eval_on_selector_all("[id]", "es => es.map(e => e.id)")
        assert sorted({i for i in ids if ids.count(i) > 1}) == [], path


@pytest.mark.browser
def test_keyboard_order_on_a_phone_goes_row_by_row_then_option_by_option(site, browser):
    """Tabbing through the phone layout meets each row's disclosures in the order the options are named."""
    page = new_page(browser, 375)
    page.goto(site + compare("hair-loss", FOUR["hair-loss"]))
    page.locator("#row-what-it-is td").last.locator("summary").focus()  # the row before
    seen = []
    for _ in range(30):
        page.keyboard.press("Tab")
        row = page.evaluate("document.activeElement.closest('tr') && document.activeElement.closest('tr').id")
        text = page.evaluate("document.activeElement.textContent.replace(/\\s+/g, ' ').trim()")
        if row == "row-benefit" and text.startswith("Details"):
            seen.append(text)
        top, bottom = page.evaluate(
            "(() => { const r = document.activeElement.getBoundingClientRect(); return [r.top, r.bottom] })()"
        )
        assert bottom > 0 and top < 800, f"focus is off screen on {text}"
    assert [name.split(", ")[-1] for name in seen] == ["Mesotherapy", "PRP", "Minoxidil", "Finasteride"]
    page.context.close()


# --- Hand-made htmx requests and the page cache ------------------------------------------------------------


def is_full_page(response):
    return response.content.lstrip().lower().startswith(b"<!doctype html")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "treatments=prp",
        "treatments=prp&treatments=prp",
        "concern=dark-circles&treatments=prp",
        "concern=&treatments=prp",
    ],
)
def test_htmx_one_option_is_a_message_only_and_never_cached_for_a_visitor(client, query):
    # A 200 that swaps nothing but the message (so htmx, and django-htmx's debug page, treat it as any answer).
    swap = client.get(f"{COMPARE}?{query}", HTTP_HX_REQUEST="true")
    assert swap.status_code == 200
    assert swap["HX-Reswap"] == "none" and swap["HX-Push-Url"] == "false"
    body = swap.content.decode()
    assert 'id="choice-message"' in body and "comparison-table" not in body
    for _ in range(2):  # the stored swap is never what a visitor gets
        visitor = client.get(f"{COMPARE}?{query}")
        assert is_full_page(visitor) and visitor.status_code == 400


@pytest.mark.django_db
def test_htmx_zero_options_by_hand_is_not_the_usual_comparison(client):
    """A swap asking for a concern and no options (what htmx sends once every box is unticked) gets the usual
    two-option table, a 200 that pushes `?concern=hair-loss`: the patient is shown options they unticked."""
    # The form always sends an empty `treatments`, so "nothing ticked" is not a link that names no options.
    swap = client.get(f"{COMPARE}?concern=hair-loss&treatments=", HTTP_HX_REQUEST="true")
    assert swap["HX-Reswap"] == "none" and "comparison-table" not in swap.content.decode()
    assert "Choose at least two treatments" in swap.content.decode()


@pytest.mark.django_db
def test_htmx_fragment_is_never_served_to_a_later_visitor(client):
    query = compare("hair-loss", ("minoxidil", "finasteride"))
    swap = client.get(query, HTTP_HX_REQUEST="true")
    assert swap.status_code == 200 and not is_full_page(swap)
    again = client.get(query, HTTP_HX_REQUEST="true")
    assert again.content == swap.content
    for headers in ({}, {"HTTP_HX_REQUEST": "false"}, {"HTTP_HX_REQUEST": "TRUE"}, {"HTTP_HX_REQUEST": ""}):
        visitor = client.get(query, **headers)
        assert is_full_page(visitor), headers
    restore = client.get(query, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert is_full_page(restore)


@pytest.mark.django_db
def test_repeated_and_reordered_options_give_the_same_page(client):
    a = client.get(compare("hair-loss", ("prp", "mesotherapy", "prp")))
    b = client.get(compare("hair-loss", ("mesotherapy", "prp")))
    assert a.status_code == b.status_code == 200
    assert a.content == b.content


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    ["treatments=bogus&treatments=prp", "concern=bogus", "treatments=PRP&treatments=mesotherapy", "treatments=prp%00"],
)
def test_unknown_slugs_are_a_404_full_page_even_for_htmx(client, query):
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(f"{COMPARE}?{query}", **headers)
        assert response.status_code == 404
    assert not any(":page:" in key for key in cache._cache)


@pytest.mark.django_db
def test_an_empty_treatments_value_is_read_as_no_choice_not_as_an_unknown_treatment(client):
    """`?treatments=` (an empty value, as some link checkers and hand-edited links send) gives "That concern
    or treatment is not on this site", a 404, while `?concern=` is read as no choice."""
    assert client.get(f"{COMPARE}?concern=").status_code == 200
    assert (
        client.get(f"{COMPARE}?concern=hair-loss&treatments=&treatments=prp&treatments=mesotherapy").status_code == 200
    )


@pytest.mark.django_db
def test_a_huge_htmx_query_string_does_not_swap_an_error_page_into_the_table(client):
    """More than DATA_UPLOAD_MAX_NUMBER_FIELDS parameters raise TooManyFieldsSent in the page cache middleware:
    a bare "Bad Request (400)". htmx 2 swaps no 4xx answer by default, and base.html must not turn that on, so
    the table stays; the site's own answer to fewer than two options is a 200 that swaps only the message."""
    query = "&".join(["treatments=prp", "treatments=mesotherapy"] * 600)
    response = client.get(f"{COMPARE}?{query}", HTTP_HX_REQUEST="true")
    assert response.status_code in (400, 414, 200)
    if response.status_code == 400:
        page = client.get(COMPARE).content.decode()
        config = re.search(r'<meta name="htmx-config" content=\'([^\']*)\'>', page)[1]
        assert "responseHandling" not in config


@pytest.mark.django_db
def test_many_tracking_parameters_share_the_stored_page(client):
    first = client.get(compare("hair-loss", FOUR["hair-loss"]) + "&utm_source=a&fbclid=xyz")
    second = client.get(compare("hair-loss", tuple(reversed(FOUR["hair-loss"]))) + "&utm_source=b")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert sum(1 for key in cache._cache if ":page:" in key) == 1
