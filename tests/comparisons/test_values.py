"""'What matters to you' and the summary to take to the appointment (issue 11, items 2 and 3): questions in a
GET form, each option's facts next to the answers in the same words, the SURE check, a printable summary,
and nothing stored: no cookie, no session, no database write."""

import re
from html.parser import HTMLParser
from http import HTTPStatus
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comparisons.values import PRACTITIONER_QUESTIONS, QUERY, QUESTIONS, SURE
from tests.factories import make_treatment, make_treatment_indication
from treatments.models import Indication, Treatment
from treatments.numbers import NOT_MEASURED
from workflow.readability import SITE_TITLE_WORDS, SMOG_TARGET, readability

pytestmark = pytest.mark.django_db

QUESTIONS_URL = "/compare/mesotherapy-vs-prp/what-matters/"
ANSWERS_URL = QUESTIONS_URL + "answers/"
SUMMARY_URL = QUESTIONS_URL + "summary/"
ANSWERS = {
    "concern": "hair-loss",
    "needles": "a-lot",
    "visits": "4-to-6",
    "evidence": "a-lot",
    "cost": "some",
    "soon": "can-wait",
    "side-effects": "some",
}


class Page(HTMLParser):
    """Fieldsets with their legends and inputs, forms, links and the text of <main>, block by block."""

    BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "dt", "dd", "legend", "label", "summary"}

    def __init__(self):
        super().__init__()
        self.fieldsets, self.forms, self.links, self.blocks = [], [], [], []
        self.in_main = False
        self.legend = None
        self.block = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "main":
            self.in_main = True
        if tag == "form":
            self.forms.append({"method": attrs.get("method"), "action": attrs.get("action"), "inputs": []})
        if tag == "fieldset":
            self.fieldsets.append({"legend": "", "inputs": []})
        if tag == "legend":
            self.legend = ""
        if tag == "input":
            if self.fieldsets:
                self.fieldsets[-1]["inputs"].append(attrs)
            if self.forms:
                self.forms[-1]["inputs"].append(attrs)
        if tag == "a" and self.in_main:
            self.links.append(attrs.get("href", ""))
        if tag in self.BLOCKS and self.in_main:
            self.block = [tag, ""]

    def handle_endtag(self, tag):
        if tag == "main":
            self.in_main = False
        if tag == "legend" and self.legend is not None:
            self.fieldsets[-1]["legend"] = " ".join(self.legend.split())
            self.legend = None
        if tag in self.BLOCKS and self.block and self.block[0] == tag:
            self.blocks.append(" ".join(self.block[1].split()))
            self.block = None

    def handle_data(self, data):
        if self.legend is not None:
            self.legend += data
        if self.block:
            self.block[1] += data

    @property
    def text(self):
        return "\n".join(self.blocks)


def parse(response):
    page = Page()
    page.feed(response.content.decode())
    return page


def get(client, url, params=None, status=HTTPStatus.OK):
    response = client.get(url, params or {})
    assert response.status_code == status, (url, params, response.status_code)
    return response


def test_addresses_and_the_links_to_the_step():
    assert reverse("values:questions", args=["mesotherapy-vs-prp"]) == QUESTIONS_URL
    assert reverse("values:answers", args=["mesotherapy-vs-prp"]) == ANSWERS_URL
    assert reverse("values:summary", args=["mesotherapy-vs-prp"]) == SUMMARY_URL


def test_the_step_is_reachable_from_the_home_page_and_the_comparison(client):
    home = parse(get(client, "/"))
    assert QUESTIONS_URL in home.links
    comparison = parse(get(client, "/compare/mesotherapy-vs-prp/", {"concern": "dark-circles"}))
    [link] = [href for href in comparison.links if href.startswith(QUESTIONS_URL)]
    assert dict(parse_qsl(urlsplit(link).query))["concern"] == "dark-circles"
    assert sorted(value for name, value in parse_qsl(urlsplit(link).query) if name == "treatments") == [
        "mesotherapy",
        "prp",
    ]


def test_every_question_is_a_radio_group_with_a_legend_in_a_get_form(client):
    page = parse(get(client, QUESTIONS_URL))
    [form] = page.forms
    assert form["method"] == "get" and form["action"] == ANSWERS_URL
    assert len(QUESTIONS) >= 4
    legends = {fieldset["legend"]: fieldset["inputs"] for fieldset in page.fieldsets}
    for question in QUESTIONS:
        inputs = legends[question.text]
        assert {i["type"] for i in inputs} == {"radio"}
        assert {i["name"] for i in inputs} == {question.name}
        assert [i["value"] for i in inputs] == [value for value, _ in question.choices]
    assert "Your concern" in legends
    assert any(legend.startswith("Options to weigh up") for legend in legends)


def test_the_options_default_to_mesotherapy_and_prp(client):
    page = parse(get(client, QUESTIONS_URL))
    checked = [i["value"] for f in page.fieldsets for i in f["inputs"] if i["name"] == "treatments" and "checked" in i]
    assert sorted(checked) == ["mesotherapy", "prp"]
    answers = get(client, ANSWERS_URL).content.decode()
    assert "Here are the facts for Mesotherapy and PRP" in answers


def test_answers_round_trip_through_the_address(client):
    page = parse(get(client, QUESTIONS_URL, ANSWERS))
    checked = {i["name"]: i["value"] for f in page.fieldsets for i in f["inputs"] if "checked" in i}
    for name, value in ANSWERS.items():
        assert checked[name] == value
    answers = parse(get(client, ANSWERS_URL, ANSWERS))
    for url in (QUESTIONS_URL, SUMMARY_URL):
        [link] = {href for href in answers.links if href.startswith(url + "?")}
        carried = dict(parse_qsl(urlsplit(link).query))
        assert {name: carried[name] for name in ANSWERS} == ANSWERS
        assert get(client, link).status_code == HTTPStatus.OK
    assert "You said: A lot." in answers.text
    assert "You said: 4 to 6." in answers.text


def test_an_unanswered_question_says_so(client):
    text = parse(get(client, ANSWERS_URL, {"concern": "hair-loss", "needles": "some"})).text
    assert "You said: Some." in text
    assert text.count("You did not answer this question.") == len(QUESTIONS) - 1


class Facts(HTMLParser):
    """{fact id: [(option name, the text of the option's facts)]}, from the fact blocks of a page."""

    def __init__(self):
        super().__init__()
        self.facts = {}
        self.fact = None
        self.option = None  # [name, text, div depth]
        self.in_name = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "fact":
            self.fact = attrs["id"]
            self.facts[self.fact] = []
        elif tag == "div" and attrs.get("class") == "fact-option":
            self.option = ["", "", 0]
            self.facts[self.fact].append(self.option)
        elif tag == "div" and self.option:
            self.option[2] += 1
        if tag == "p" and attrs.get("class") == "cell-name":
            self.in_name = True

    def handle_endtag(self, tag):
        if tag == "p":
            self.in_name = False
        if tag == "div" and self.option:
            if self.option[2] == 0:
                self.option = None
            else:
                self.option[2] -= 1

    def handle_data(self, data):
        if self.option and self.in_name:
            self.option[0] += data
        elif self.option:
            self.option[1] += data


def fact_blocks(html):
    parser = Facts()
    parser.feed(html)
    return {key: [(name, " ".join(text.split())) for name, text, _ in options] for key, options in parser.facts.items()}


def test_each_option_gets_the_same_rows_in_the_same_words(client):
    html = get(client, ANSWERS_URL, ANSWERS).content.decode()
    facts = fact_blocks(html)
    for question in QUESTIONS:
        for key in question.rows:
            options = facts[f"{question.name}-{key}"]
            assert [name for name, _ in options] == ["Mesotherapy", "PRP"], key
    # Where nothing is known, every option says so in the same words, the comparison's own.
    not_known = "Not known: no study we found has measured this."
    for _, body in facts["soon-results-show"]:
        assert not_known in body
    side_effects = dict(facts["side-effects-side-effects"])
    assert NOT_MEASURED in side_effects["Mesotherapy"] and NOT_MEASURED in side_effects["PRP"]
    assert "About 95 in 100 people had redness from the injections." in side_effects["Mesotherapy"]
    assert "About 95 in 100 people had redness from the injections." in side_effects["PRP"]


def test_the_facts_are_the_comparisons_own(client):
    """Each fact is worded where the comparison words it: the same sentence appears on the comparison page."""
    answers = get(client, ANSWERS_URL, ANSWERS).content.decode()
    comparison = get(client, "/compare/mesotherapy-vs-prp/", {"concern": "hair-loss"}).content.decode()
    for sentence in (
        "3 to 4 sessions, 4 to 6 weeks apart",
        "Every 3 to 6 months",
        "Made from your own blood.",
        "Products made outside your body.",
        "Lower cost.",
        "Higher cost.",
        "About 28 more hairs per square centimetre of scalp, on average.",
        "Small studies only",
        "Several trials, mixed results",
        "That is 6 visits in the first year.",
    ):
        assert sentence in answers, sentence
        assert sentence in comparison, sentence


def test_it_says_plainly_it_is_not_a_recommendation(client):
    for url in (QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL):
        assert "This is not a recommendation." in parse(get(client, url, ANSWERS)).text, url


def test_the_sure_questions_come_with_what_to_do_about_a_no(client):
    page = parse(get(client, ANSWERS_URL, ANSWERS))
    legends = {fieldset["legend"]: fieldset["inputs"] for fieldset in page.fieldsets}
    assert len(SURE) == 4
    for question in SURE:
        assert [i["value"] for i in legends[question.text]] == ["yes", "no"]
        assert question.hint.startswith("If not:")
        assert question.hint in page.text
    assert "SURE" in page.text
    sure_form = page.forms[-1]
    assert sure_form["method"] == "get" and sure_form["action"].startswith(ANSWERS_URL)
    hidden = {(i["name"], i["value"]) for i in sure_form["inputs"] if i.get("type") == "hidden"}
    assert set(ANSWERS.items()) <= hidden  # answering SURE keeps the other answers


def test_sure_answers_are_carried_to_the_summary(client):
    params = {**ANSWERS, "sure": "no", "understand": "yes", "values-clear": "yes", "support": "no"}
    text = parse(get(client, SUMMARY_URL, params)).text
    sure, understand, _, support = SURE
    assert f"{sure.text} You said: No. {sure.hint}" in text
    assert f"{understand.text} You said: Yes." in text and understand.hint not in text
    assert support.hint in text


def test_the_summary_has_everything_to_take_to_the_appointment(client):
    response = get(client, SUMMARY_URL, ANSWERS)
    html = response.content.decode()
    page = parse(response)
    assert "Your concern\nHair loss" in page.text
    assert "Mesotherapy" in page.text and "PRP (platelet-rich plasma)" in page.text
    for question in QUESTIONS:
        assert question.text in page.text
    assert "How much do needles, or having blood taken, bother you?\nA lot" in page.text
    for fact in ("Best estimate of benefit", "Strength of evidence", "Sessions in a first course", "Cost", "Downtime"):
        assert fact in page.text
    for question in PRACTITIONER_QUESTIONS:
        assert question in page.text
    for topic in ("training", "register", "injecting", "in the mix", "where does it come from", "sterile"):
        assert topic in " ".join(PRACTITIONER_QUESTIONS), topic
    for topic in ("most common problems", "goes wrong", "after each session", "total cost", "a year of top-ups"):
        assert topic in " ".join(PRACTITIONER_QUESTIONS), topic
    assert "time to decide" in " ".join(PRACTITIONER_QUESTIONS)
    assert "Your notes" in page.text and html.count('class="note-line"') >= 6
    # The button needs JavaScript: it starts hidden, a static script shows it, and it is not printed.
    assert re.search(
        r'<button type="button" class="print-button" data-print hidden>Print or save as PDF</button>', html
    )
    assert re.search(r'<script src="/static/js/print\.js" defer></script>', html)
    assert re.search(r'<link rel="stylesheet" href="/static/css/values\.css">', html)


def test_the_print_stylesheet_is_black_and_white_any_paper_and_prints_links_as_text():
    from pathlib import Path

    from django.conf import settings

    css = (Path(settings.BASE_DIR) / "static" / "css" / "values.css").read_text()
    assert re.search(r"@page\s*{\s*size:\s*auto;", css)
    print_rules = css[css.index("@media print") :]
    assert "background: none !important" in print_rules and "color: #000 !important" in print_rules
    assert ".print-button" in print_rules and ".site-header nav" in print_rules
    assert 'content: " (" attr(href) ")"' in print_rules
    js = (Path(settings.BASE_DIR) / "static" / "js" / "print.js").read_text()
    assert "window.print()" in js and "hidden = false" in js


@pytest.mark.parametrize("url", [QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL])
def test_nothing_is_stored_no_cookie_no_session_no_write(client, url):
    from django.contrib.sessions.models import Session

    sessions = Session.objects.count()
    with CaptureQueriesContext(connection) as queries:
        response = get(client, url, {**ANSWERS, "sure": "yes"})
    assert not response.cookies
    assert "Set-Cookie" not in response.headers
    assert "csrfmiddlewaretoken" not in response.content.decode()
    writes = [q["sql"] for q in queries.captured_queries if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"], re.I)]
    assert writes == []
    assert Session.objects.count() == sessions
    assert "public" in response["Cache-Control"]


@pytest.mark.parametrize("url", [QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL])
def test_pages_are_cached_by_every_parameter_they_read(client, url, django_assert_num_queries):
    get(client, url, ANSWERS)
    with django_assert_num_queries(0):
        get(client, url, ANSWERS)
    other = {**ANSWERS, "needles": "not-much"}
    assert "Not much" in parse(get(client, url, other)).text or url == QUESTIONS_URL
    from comparisons.values import answers, questions, summary

    for view in (questions, answers, summary):
        assert set(view.public_page_policy.query) == set(QUERY)
        assert view.public_page_policy.lists == ("treatments",)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"needles": "always"}, "We did not understand your answer to “How much do needles"),
        ({"sure": "maybe"}, "We did not understand your answer to “Do you feel sure"),
        ({"concern": "baldness-cure"}, "We do not know that concern."),
        ({"treatments": ["prp", "snake-oil"]}, "We do not know one of those treatments."),
        ({"treatments": "prp"}, "Choose at least two treatments to compare."),
        ({"visits": "%00"}, "We did not understand your answer"),
        ({"concern": "\x00"}, "We do not know that concern."),
        ({"cost": "a" * 5000}, "We did not understand your answer"),
    ],
)
@pytest.mark.parametrize("url", [QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL])
def test_bad_answers_get_a_clear_message_not_an_error(client, url, params, message):
    response = get(client, url, params, status=HTTPStatus.BAD_REQUEST)
    page = parse(response)
    assert "There is a problem" in page.text
    assert message in page.text
    assert len(page.forms) == 1  # the questions again, to choose from


@pytest.mark.parametrize(
    "query",
    ["needles[]=a", "needles=a-lot&needles=zzz", "treatments=prp&treatments=prp", "concern=&treatments=", "%ff=%fe"],
)
def test_malformed_query_strings_never_cause_a_server_error(client, query):
    for url in (QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL):
        response = client.get(f"{url}?{query}")
        assert response.status_code in {HTTPStatus.OK, HTTPStatus.BAD_REQUEST}, (url, query)


def test_an_unknown_comparison_is_not_found(client):
    assert client.get("/compare/no-such-comparison/what-matters/answers/").status_code == HTTPStatus.NOT_FOUND


def test_draft_treatments_are_not_offered(client):
    make_treatment(slug="secret-draft", name="Secret draft", status="draft")
    assert "secret-draft" not in get(client, QUESTIONS_URL).content.decode()
    get(client, ANSWERS_URL, {"treatments": ["prp", "secret-draft"]}, status=HTTPStatus.BAD_REQUEST)


def test_only_get_and_head(client):
    for url in (QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL):
        assert client.head(url).status_code == HTTPStatus.OK
        assert client.post(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED


def add_treatments(count):
    hair = Indication.objects.get(slug="hair-loss")
    for _ in range(count):
        treatment = make_treatment()
        make_treatment_indication(treatment, hair)
        treatment.side_effects.create(name="Soreness", frequency=1, duration="A day")
        treatment.cautions.create(kind="should_not", name="You are unwell")
        treatment.ingredients.create(name="Saline", purpose="Made up")


@pytest.mark.parametrize("url", [QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL])
def test_a_fixed_small_number_of_queries(client, url, django_assert_max_num_queries):
    params = {**ANSWERS, "sure": "no", "support": "yes"}
    with CaptureQueriesContext(connection) as two:
        get(client, url, {**params, "treatments": ["mesotherapy", "prp"]})
    assert len(two.captured_queries) <= 20
    add_treatments(6)
    slugs = list(Treatment.objects.published().values_list("slug", flat=True))
    with django_assert_max_num_queries(len(two.captured_queries)):
        html = get(client, url, {**params, "treatments": slugs}).content.decode()
    if url != QUESTIONS_URL:
        assert html.count('<p class="cell-name">') >= len(slugs)  # every option is shown


def test_plain_english(client):
    for url in (QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL):
        page = parse(get(client, url, ANSWERS))
        # The page's own words: the facts are the content's, scored on About with the comparison.
        own = [q.text for q in QUESTIONS + SURE] + [q.hint for q in QUESTIONS + SURE if q.hint]
        own += list(PRACTITIONER_QUESTIONS)
        own += [block for block in page.blocks if block.startswith(("This is not", "Your answers", "These four"))]
        score = readability("\n".join(own), SITE_TITLE_WORDS)
        assert score.smog is not None and score.smog <= SMOG_TARGET, (url, score)
    # Paragraphs of three sentences at most (the page's own; the facts are the content's).
    for url in (QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL):
        html = get(client, url, ANSWERS).content.decode()
        html = re.sub(
            r'<div class="fact-option">.*?</div>\n    (?=<div class="fact-option">|</div>)', "", html, flags=re.S
        )
        for paragraph in re.findall(r"<p[^>]*>(.*?)</p>", html, re.S):
            plain = re.sub(r"<[^>]+>", "", paragraph)
            assert len(re.findall(r"[.!?](?=\s|$)", plain)) <= 3, plain


@pytest.mark.parametrize("url", [QUESTIONS_URL, ANSWERS_URL, SUMMARY_URL])
def test_each_page_has_one_h1_a_title_a_description_and_no_inline_code(client, url):
    html = get(client, url, ANSWERS).content.decode()
    assert len(re.findall(r"<h1[\s>]", html)) == 1
    assert re.search(r"<title>[^<]{10,}</title>", html)
    assert re.search(r'<meta name="description" content="[^"]{30,}">', html)
    assert re.search(r'"@type": "MedicalWebPage", "name": "[^"]{10,}", "description": "[^"]{30,}"', html)
    assert "style=" not in html and "<style" not in html and " onclick=" not in html
    scripts = re.findall(r"<script([^>]*)>", html)
    assert all('src="' in attrs or 'type="application/ld+json"' in attrs for attrs in scripts)
    assert "Last reviewed:" in html and "not medical advice" in html
