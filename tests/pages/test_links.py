"""Every internal link that carries a query string lands where it says, through any redirect (issue 12)."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

import pytest

pytestmark = pytest.mark.django_db

START = ["/", "/treatments/", "/faq/", "/about/", "/references/", "/changes/"]


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)


def links_on(client, url):
    parser = Links()
    parser.feed(client.get(url).content.decode())
    return [href for href in parser.hrefs if href.startswith("/") and not href.startswith("//")]


def site_pages(client):
    pages = set(START)
    for url in START:
        pages.update(href.split("?")[0].split("#")[0] for href in links_on(client, url))
    return sorted(page for page in pages if not page.startswith("/static/") and "admin" not in page)


def test_every_internal_link_with_a_query_keeps_it_through_redirects(client):
    followed = 0
    for page in site_pages(client):
        for href in links_on(client, page):
            if "?" not in href:
                continue
            response = client.get(href, follow=True)
            assert response.status_code == 200, (page, href)
            landed = response.request
            asked = parse_qs(urlsplit(href).query)
            got = parse_qs(landed["QUERY_STRING"])
            assert {name: got.get(name) for name in asked} == asked, (page, href, landed["QUERY_STRING"])
            for slug in asked.get("concern", []):
                assert f'value="{slug}" checked' in response.content.decode(), (page, href)
            followed += 1
    assert followed >= 6  # the home page's concerns and every treatment page's "Compare" links
