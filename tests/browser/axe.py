"""axe-core (shipped by axe-playwright-python, never downloaded): WCAG 2.2 A/AA violations on a page."""

from pathlib import Path

import axe_playwright_python

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_SOURCE = Path(axe_playwright_python.__file__).with_name("axe.min.js")
VIEWPORTS = ({"width": 1280, "height": 900}, {"width": 375, "height": 800})


def violations(browser, url, viewport):
    """The page's WCAG 2.2 A/AA violations at this viewport, one readable line each."""
    context = browser.new_context(viewport=viewport, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(url)
        page.add_script_tag(path=str(AXE_SOURCE))
        result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    finally:
        context.close()
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}" for v in result["violations"]]
