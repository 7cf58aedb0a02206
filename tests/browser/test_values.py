"""'What matters to you' and the summary, in a real browser: without JavaScript, on a phone, and printed."""

import re

import pytest
from playwright.sync_api import expect

from comparisons.values import QUESTIONS as VALUE_QUESTIONS

from .axe import VIEWPORTS, violations

pytestmark = pytest.mark.browser

QUESTIONS = "/compare/mesotherapy-vs-prp/what-matters/"
ANSWERS = QUESTIONS + "answers/?concern=hair-loss&treatments=mesotherapy&treatments=prp&needles=a-lot&visits=4-to-6"
SUMMARY = (
    QUESTIONS + "summary/?concern=hair-loss&treatments=mesotherapy&treatments=prp&needles=a-lot&visits=4-to-6"
    "&evidence=a-lot&cost=some&soon=can-wait&side-effects=some&sure=no&understand=yes&values-clear=yes&support=no"
)
SUMMARY_HEADINGS = [
    "Your concern",
    "The options you are weighing up",
    "What you said matters to you",
    "Key facts for each option",
    "Are you ready to decide?",
    "Questions to ask your practitioner",
    "Your notes",
]


def test_the_values_step_and_the_summary_work_without_javascript(site, no_js_page):
    page = no_js_page
    page.goto(site + "/")
    page.get_by_role("link", name="Not sure yet? Weigh up what matters to you").click()
    expect(page.locator("h1")).to_have_text("What matters to you")
    page.get_by_label("Dark circles under the eyes").check()
    page.get_by_role("group", name="How much do needles, or having blood taken, bother you?").get_by_label(
        "A lot"
    ).check()
    page.get_by_role("group", name="How many visits could you make in the first year?").get_by_label("Up to 3").check()
    page.get_by_role("button", name="See the facts next to my answers").click()

    expect(page).to_have_url(re.compile(r"/answers/\?.*concern=dark-circles.*needles=a-lot"))
    expect(page.locator("h1")).to_have_text("What matters to you: dark circles under the eyes")
    expect(page.get_by_text("This is not a recommendation.")).to_be_visible()
    expect(page.locator(".you-said").first).to_have_text("You said: A lot.")

    # The SURE answers go back into the address, keeping the others.
    page.get_by_role("group", name="Do you feel sure about the best choice for you?").get_by_label("No").check()
    page.get_by_role("button", name="Save these answers").click()
    expect(page).to_have_url(re.compile(r"sure=no"))
    expect(page).to_have_url(re.compile(r"needles=a-lot"))

    page.get_by_role("link", name="Make a summary to take to your appointment").first.click()
    expect(page.locator("h1")).to_have_text("Your summary to take to your appointment")
    expect(page.locator(".said")).to_contain_text("A lot")
    expect(page.locator(".sure-list")).to_contain_text("take your time")
    # Without JavaScript the print button would do nothing, so it is not shown.
    expect(page.get_by_role("button", name="Print or save as PDF")).to_have_count(0)
    assert page.context.cookies() == []


def test_the_print_button_prints(site, page):
    page.goto(site + SUMMARY)
    button = page.get_by_role("button", name="Print or save as PDF")
    expect(button).to_be_visible()
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button.click()
    assert page.evaluate("window.printed") == 1


def test_the_summary_prints_every_detail_in_black_and_white_without_the_button_or_nav(site, page):
    page.goto(site + SUMMARY)
    page.emulate_media(media="print")
    for heading in SUMMARY_HEADINGS:
        expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
    expect(page.get_by_text("This is not a recommendation.")).to_be_visible()
    expect(page.locator(".practitioner-questions li")).to_have_count(8)
    expect(page.locator(".practitioner-questions")).to_be_visible()
    expect(page.locator(".note-line").first).to_be_visible()
    for fact in ("benefit", "evidence", "first-course", "maintenance", "cost", "downtime", "side-effects"):
        expect(page.locator(f"#s-{fact} .fact-option")).to_have_count(2)
        expect(page.locator(f"#s-{fact}")).to_be_visible()
    expect(page.locator(".said dd")).to_have_count(len(VALUE_QUESTIONS))
    expect(page.locator(".page-address")).to_be_visible()

    expect(page.locator(".print-button")).to_be_hidden()
    expect(page.locator(".site-header nav")).to_be_hidden()
    expect(page.locator(".site-footer")).to_be_hidden()

    colours = page.evaluate(
        """() => [...document.querySelectorAll('body, body *')].filter(e => e.checkVisibility()).map(e => {
            const s = getComputedStyle(e);
            return [s.color, s.backgroundColor, s.backgroundImage];
        })"""
    )
    assert {colour for colour, _, _ in colours} == {"rgb(0, 0, 0)"}
    assert {background for _, background, _ in colours} <= {"rgba(0, 0, 0, 0)"}
    assert {image for _, _, image in colours} == {"none"}
    # Links print as text: the address of an outside link is printed after it, and nothing is underlined.
    assert page.evaluate(
        "[...document.querySelectorAll('main a')].every(a => getComputedStyle(a).textDecorationLine === 'none')"
    )


@pytest.mark.parametrize(("paper", "width"), [("A4", 595), ("Letter", 612)])
def test_the_summary_makes_a_pdf_on_a4_and_letter(site, page, paper, width):
    page.goto(site + SUMMARY)
    pdf = page.pdf(format=paper)  # @page size auto: the paper chosen when printing
    assert pdf.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert boxes and all(int(float(w)) == width for w, _ in boxes)


@pytest.mark.parametrize("path", [QUESTIONS, ANSWERS, SUMMARY])
def test_no_sideways_scrolling_on_a_phone(site, browser, path):
    for width in (320, 375):
        context = browser.new_context(viewport={"width": width, "height": 800}, is_mobile=True)
        page = context.new_page()
        page.goto(site + path)
        page_width = page.evaluate("document.documentElement.scrollWidth")
        context.close()
        assert page_width <= width, (path, width)


@pytest.mark.parametrize("path", [QUESTIONS, ANSWERS, SUMMARY, QUESTIONS + "answers/?needles=never"])
def test_no_wcag_22_a_or_aa_violations(site, browser, path):
    for viewport in VIEWPORTS:
        assert violations(browser, site + path, viewport) == [], f"{path} at {viewport['width']}px"
