"""Issue 11, item 1: the comparison on a phone and on a desktop, the one-option message, and print."""

import pytest
from playwright.sync_api import expect

from .axe import violations

pytestmark = pytest.mark.browser

COMPARE = "/compare/mesotherapy-vs-prp/"
# Four options for each concern: the two injected ones, a licensed or best-evidenced alternative, and doing nothing.
FOUR_OPTIONS = {
    "hair-loss": ("mesotherapy", "prp", "minoxidil", "finasteride"),
    "facial-skin": ("mesotherapy", "prp", "tretinoin", "daily-sunscreen"),
    "dark-circles": ("mesotherapy", "prp", "chemical-peel", "no-treatment"),
    "body-skin": ("mesotherapy", "prp", "chemical-peel", "no-treatment"),
}
HEIGHT_LIMIT = 6000  # px at 375 px wide, with every disclosure closed


def four_options(concern):
    return f"{COMPARE}?concern={concern}" + "".join(f"&treatments={slug}" for slug in FOUR_OPTIONS[concern])


def phone(browser, width=375):
    return browser.new_context(viewport={"width": width, "height": 800}).new_page()


OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll('main *')]
    .filter(e => e.getBoundingClientRect().width > 1)  // not the 1px visually-hidden text
    .filter(e => e.getBoundingClientRect().right > width + 0.5 || e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'visible')
    .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (e.className && typeof e.className === 'string' ? '.' + e.className : ''))
    .slice(0, 5);
}"""


@pytest.mark.parametrize("width", [320, 375])
def test_nothing_in_main_scrolls_sideways_on_a_phone(site, browser, width):
    page = phone(browser, width)
    paths = [
        COMPARE,
        *(four_options(concern) for concern in FOUR_OPTIONS),
        "/treatments/prp/",
        "/treatments/finasteride/",
    ]
    for path in paths:
        page.goto(site + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert page.evaluate(OVERFLOWING) == [], path
    page.context.close()


def test_each_concerns_comparison_of_four_options_fits_in_6000px_at_375px(site, browser):
    page = phone(browser)
    for concern in FOUR_OPTIONS:
        page.goto(site + four_options(concern))
        expect(page.locator("#comparison-table thead th")).to_have_count(4)
        assert page.locator("#comparison-table details[open]").count() == 0
        height = page.locator("#comparison-table").bounding_box()["height"]
        assert height <= HEIGHT_LIMIT, f"{concern}: {height:.0f}px"
    page.context.close()


def test_on_a_phone_each_answer_names_its_option_and_leads_with_the_short_answer(site, browser):
    page = phone(browser)
    page.goto(site + four_options("hair-loss"))
    cells = page.locator("#row-benefit td")
    expect(cells).to_have_count(4)
    for index, name in enumerate(("Mesotherapy", "PRP", "Minoxidil", "Finasteride")):
        cell = cells.nth(index)
        expect(cell.locator(".cell-name")).to_have_text(name)
        expect(cell.locator(".answer")).to_be_visible()
    prp = cells.nth(1)
    expect(prp.locator(".answer")).to_contain_text("Certainty: low")
    detail = prp.locator("details.more")
    expect(detail.locator(".icon-array, .estimate-details").first).to_be_hidden()
    detail.locator("summary").click()
    expect(detail.locator(".estimate-details")).to_be_visible()
    page.context.close()


def test_on_a_desktop_the_option_names_stay_in_view_down_the_table(site, page):
    page.goto(site + four_options("hair-loss"))
    expect(page.locator(".cell-name").first).to_be_hidden()
    page.locator("#row-cost").scroll_into_view_if_needed()
    headers = page.locator("#comparison-table thead th")
    for index in range(4):
        box = headers.nth(index).bounding_box()
        assert 0 <= box["y"] < 5, "the option names scrolled out of view"
    cost = page.locator("#row-cost").bounding_box()
    assert cost["y"] > 0
    widths = {round(headers.nth(index).bounding_box()["x"]) for index in range(4)}
    assert len(widths) == 4  # side by side


def test_one_option_with_javascript_keeps_the_last_comparison_and_says_why(site, page):
    page.goto(site + COMPARE)
    page.evaluate("window.sameDocument = true")
    page.get_by_label("Mesotherapy", exact=True).uncheck()
    message = page.locator(".chooser fieldset #choice-message")
    expect(message).to_contain_text("Choose at least two treatments to compare")
    expect(message).to_contain_text("has not changed")
    expect(page.locator("#comparison-table thead th")).to_have_count(2)
    expect(page.locator("#comparison-table thead th").first).to_have_text("Mesotherapy")
    assert page.evaluate("window.sameDocument === true")
    assert "treatments=" not in page.url  # the address still matches the comparison shown

    page.locator("input[name=treatments][value=minoxidil]").check()  # two again: the message goes, the table follows
    expect(page.locator("#comparison-table thead th")).to_have_text(["PRP", "Minoxidil"])
    expect(message).to_have_text("")


def test_one_option_without_javascript_shows_the_message_beside_the_choices(site, no_js_page):
    page = no_js_page
    page.goto(site + COMPARE)
    page.get_by_label("Dark circles", exact=False).first.check()
    page.get_by_label("Mesotherapy", exact=True).uncheck()
    page.get_by_role("button", name="Show comparison").click()
    expect(page.locator(".error-summary")).to_contain_text("Choose at least two treatments")
    expect(page.locator(".chooser fieldset #choice-message")).to_contain_text("Choose at least two treatments")
    expect(page.locator("#comparison-table caption")).to_contain_text("dark circles")
    expect(page.locator("#comparison-table thead th")).to_have_count(2)


def test_printing_opens_every_disclosure(site, page):
    page.goto(site + four_options("hair-loss"))
    hidden_detail = page.locator("#row-side-effects td").nth(1).locator("details.more ul.items")
    expect(hidden_detail).to_be_hidden()
    page.emulate_media(media="print")
    expect(hidden_detail).to_be_visible()
    expect(page.locator("#row-benefit td").nth(1).locator(".estimate-details")).to_be_visible()


@pytest.mark.parametrize("concern", ["hair-loss", "dark-circles"])
def test_four_option_comparison_has_no_wcag_violations(site, browser, concern):
    for viewport in ({"width": 1280, "height": 900}, {"width": 375, "height": 800}):
        assert violations(browser, site + four_options(concern), viewport) == [], viewport
