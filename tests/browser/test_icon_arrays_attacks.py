"""Icon arrays drawn as rectangles tiled with a figure pattern: counted from the pixels a patient sees, on a
wide screen, on a 375 px phone, and printed (the values summary is printed in black and white). The first
`count` figures of the 10 x 10 grid, row by row, are filled and the rest are outlines."""

import re
import struct
import zlib

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

COMPARE = "/compare/mesotherapy-vs-prp/?concern=hair-loss&treatments=mesotherapy&treatments=prp"
SUMMARY = (
    "/compare/mesotherapy-vs-prp/what-matters/summary/"
    "?concern=hair-loss&treatments=mesotherapy&treatments=prp&needles=a-lot&visits=4-to-6"
    "&evidence=a-lot&cost=some&soon=can-wait&side-effects=some&sure=no&understand=yes&values-clear=yes&support=no"
)


def pixels(png):
    """(width, height, rows of (r, g, b)) from an 8-bit RGB or RGBA PNG, as Chromium writes them."""
    width, height, depth, colour = struct.unpack(">IIBB", png[16:26])
    assert depth == 8 and colour in (2, 6)
    step = 4 if colour == 6 else 3
    data, at = b"", 8
    while at < len(png):
        length, kind = struct.unpack(">I4s", png[at : at + 8])
        if kind == b"IDAT":
            data += png[at + 8 : at + 8 + length]
        at += 12 + length
    raw, stride, rows, previous = zlib.decompress(data), width * step, [], bytearray(width * step)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            left = line[i - step] if i >= step else 0
            up, corner = previous[i], previous[i - step] if i >= step else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                best = min((abs(p - left), 0, left), (abs(p - up), 1, up), (abs(p - corner), 2, corner))[2]
                line[i] = (line[i] + best) & 255
        rows.append([tuple(line[x * step : x * step + 3]) for x in range(width)])
        previous = line
    return width, height, rows


def filled_figures(png):
    """Which of the 100 figures are filled: the middle of each figure's body is ink, not paper."""
    width, height, rows = pixels(png)
    scale_x, scale_y = width / 140, height / 140
    filled = []
    for index in range(100):
        column, row = index % 10, index // 10
        x, y = int((column * 14 + 7) * scale_x), int((row * 14 + 11) * scale_y)
        r, g, b = rows[y][x]
        filled.append((r + g + b) / 3 < 128)
    return filled


def check_arrays(page):
    arrays = page.locator("svg.icon-array")
    checked = 0
    for i in range(arrays.count()):
        array = arrays.nth(i)
        match = re.search(r"\b(\d+) (?:in|out of) (?:every )?100\b", array.get_attribute("aria-label") or "")
        if not match:
            continue
        array.scroll_into_view_if_needed()
        if not array.is_visible():
            continue
        count = int(match.group(1))
        box = array.bounding_box()
        assert box["width"] >= 60, box  # still large enough to count on a phone
        filled = filled_figures(array.screenshot())
        assert filled == [True] * count + [False] * (100 - count), (array.get_attribute("aria-label"), filled)
        checked += 1
    assert checked, "no icon array was checked"


def open_all_details(page):
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def test_icon_arrays_on_the_comparison_show_their_count_on_screen(site, page):
    page.goto(site + COMPARE)
    open_all_details(page)
    check_arrays(page)


def test_icon_arrays_on_a_375px_phone(site, phone_page):
    phone_page.goto(site + COMPARE)
    open_all_details(phone_page)
    check_arrays(phone_page)


def test_icon_arrays_after_an_htmx_swap_still_use_the_page_figures(site, page):
    page.goto(site + COMPARE)
    page.locator('input[name="treatments"][value="minoxidil"]').check()
    expect(page.locator("#comparison-table th[scope=col]")).to_have_count(3)
    open_all_details(page)
    check_arrays(page)


def test_icon_arrays_on_the_printed_summary_in_black_and_white(site, page):
    page.goto(site + SUMMARY)
    page.emulate_media(media="print")
    open_all_details(page)
    check_arrays(page)


def test_icon_arrays_on_the_printed_comparison(site, page):
    page.goto(site + COMPARE)
    page.emulate_media(media="print")
    open_all_details(page)
    check_arrays(page)
