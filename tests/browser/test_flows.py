"""The patient flows, in a real browser, with and without JavaScript."""

import re

import pytest
from playwright.sync_api import expect

from .axe import VIEWPORTS, violations

pytestmark = pytest.mark.browser

COMPARE = "/compare/mesotherapy-vs-prp/"
PAGES = [
    "/",
    COMPARE,
    "/treatments/",
    "/treatments/prp/",
    "/treatments/mesotherapy/",
    "/faq/",
    "/references/",
    "/about/",
    "/no-such-page/",
]


def mark_page(page):
    """A flag that survives htmx swaps but not a full page load."""
    page.evaluate("window.sameDocument = true")


def still_same_document(page):
    return page.evaluate("window.sameDocument === true")


def test_switching_concern_swaps_only_the_table_and_updates_the_url(site, page):
    page.goto(site + COMPARE + "?concern=hair-loss")
    caption = page.locator("#comparison-table caption")
    expect(caption).to_contain_text("hair loss")
    mark_page(page)

    page.get_by_label("Facial skin ageing").check()

    expect(caption).to_contain_text("facial skin")
    expect(page).to_have_url(re.compile(r"concern=facial-skin"))
    assert still_same_document(page)


def test_back_restores_the_previous_table(site, page):
    page.goto(site + COMPARE + "?concern=hair-loss")
    page.get_by_label("Dark circles under the eyes").check()
    expect(page.locator("#comparison-table caption")).to_contain_text("dark circles")

    page.go_back()

    expect(page).to_have_url(re.compile(r"concern=hair-loss"))
    expect(page.locator("#comparison-table caption")).to_contain_text("hair loss")
    expect(page.locator("h1")).to_have_count(1)


def test_choosing_treatments_changes_the_columns(site, page):
    page.goto(site + COMPARE)
    mark_page(page)
    expect(page.locator("#comparison-table thead th")).to_have_count(2)
    page.locator("input[name=treatments][value=minoxidil]").check()
    expect(page.locator("#comparison-table thead th")).to_have_text(["Mesotherapy", "PRP", "Minoxidil"])
    expect(page).to_have_url(re.compile(r"treatments=minoxidil"))
    assert still_same_document(page)


def test_faq_search_filters_as_you_type(site, page):
    page.goto(site + "/faq/")
    total = page.locator("details.faq").count()
    mark_page(page)

    page.get_by_label("Search the questions").fill("hurt")

    expect(page.locator("#faq-count")).to_contain_text("match “hurt”")
    shown = page.locator("details.faq").count()
    assert 0 < shown < total
    expect(page).to_have_url(re.compile(r"q=hurt"))
    assert still_same_document(page)

    page.get_by_label("Search the questions").fill("zzzzqqq")
    expect(page.locator(".no-results")).to_be_visible()


def test_comparison_works_without_javascript(site, no_js_page):
    page = no_js_page
    page.goto(site + COMPARE)
    page.get_by_label("Facial skin ageing").check()
    page.get_by_role("button", name="Show comparison").click()
    expect(page).to_have_url(re.compile(r"concern=facial-skin"))
    expect(page.locator("#comparison-table caption")).to_contain_text("facial skin")


def test_faq_search_works_without_javascript(site, no_js_page):
    page = no_js_page
    page.goto(site + "/faq/")
    page.get_by_label("Search the questions").fill("hurt")
    page.get_by_role("button", name="Search").click()
    expect(page).to_have_url(re.compile(r"q=hurt"))
    expect(page.locator("#faq-count")).to_contain_text("match “hurt”")


def test_faq_answers_open_from_their_own_link(site, page):
    page.goto(site + "/faq/")
    first = page.locator("details.faq").first
    anchor = first.get_attribute("id")
    first.locator("summary").click()
    expect(first).to_have_attribute("open", "")
    assert anchor


@pytest.mark.parametrize("path", PAGES)
def test_no_wcag_22_a_or_aa_violations(site, browser, path):
    for viewport in VIEWPORTS:
        assert violations(browser, site + path, viewport) == [], f"{path} at {viewport['width']}px"
