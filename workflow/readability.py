"""Plain English checks for patient-facing text: SMOG grade, Flesch reading ease and jargon.

Works offline. Words, sentences and syllables are counted by textstat 0.7.3, whose
syllables come from pyphen's hyphenation dictionary (later textstat releases download
a dictionary at run time). pyphen tends to undercount syllables in long medical words,
so scores here are, if anything, a little kind; the jargon list catches those words.

Scoring follows the NHS advice on readability tools
(https://service-manual.nhs.uk/content/health-literacy/use-a-readability-tool-to-prioritise-content):

* every line, bullet and heading is a sentence: one without end punctuation gets a full stop
  (textstat then skips "sentences" of one or two words, so short headings don't dilute the score);
* Markdown markup is dropped first (bullet markers, emphasis, link targets, bare web addresses);
* the words in the site's title, SITE_TITLE_WORDS, are left out of the count in content reports,
  so a page is not marked hard just because it names the treatment.

SMOG is a US school grade; NHS content aims for a reading age of 9 to 11, which is roughly
SMOG 9 or below (93% of UK adults read at SMOG 7 to 9). SMOG was designed for samples of
30 sentences: below 3 sentences a score is a rough guide only.
"""

import math
import re
from dataclasses import dataclass

from django.apps import apps
from django.utils.html import format_html, format_html_join
from textstat.textstat import textstatistics

SMOG_TARGET = 9
MIN_SENTENCES = 3  # fewer than this and SMOG is a rough guide only

# Left out of content reports: the treatment names in the site's title. "PRP" has one
# syllable so removing it changes only the word count; it is listed to be explicit.
SITE_TITLE_WORDS = ("platelet-rich plasma", "mesotherapy", "PRP")

# Medical word -> plain words patients would use. Plurals ("contraindications") are found too.
JARGON = {
    "androgenetic alopecia": "pattern hair loss",
    "alopecia": "hair loss",
    "telogen effluvium": "temporary hair shedding",
    "trichoscopy": "close-up scalp photos",
    "periorbital hyperpigmentation": "dark circles under the eyes",
    "hyperpigmentation": "dark patches of skin",
    "periorbital": "around the eyes",
    "rhytides": "wrinkles",
    "photoageing": "sun damage to the skin",
    "photoaging": "sun damage to the skin",
    "anticoagulant": "blood thinner",
    "antiplatelet": "blood thinner",
    "contraindication": "reason not to have it",
    "contraindicated": "not suitable",
    "centrifuge": "spinning machine",
    "centrifuged": "spun in a machine",
    "centrifugation": "spinning in a machine",
    "erythema": "redness",
    "oedema": "swelling",
    "edema": "swelling",
    "haematoma": "bruise",
    "hematoma": "bruise",
    "ecchymosis": "bruising",
    "pruritus": "itching",
    "paraesthesia": "pins and needles",
    "syncope": "fainting",
    "vasovagal": "fainting",
    "necrosis": "skin tissue dying",
    "granuloma": "small lump under the skin",
    "panniculitis": "inflamed fat under the skin",
    "keloid": "raised scar",
    "mycobacterial infection": "a slow-growing skin infection",
    "mycobacteria": "slow-growing germs",
    "thrombocytopenia": "low platelet count",
    "immunosuppressed": "with a weak immune system",
    "epidermis": "top layer of skin",
    "dermis": "middle layer of skin",
    "subcutaneous": "under the skin",
    "intradermal": "into the skin",
    "cutaneous": "skin",
    "topical": "put on the skin",
    "aseptic": "germ-free",
    "autologous": "from your own body",
    "fibroblast": "skin cells that make collagen",
    "efficacy": "how well it works",
    "efficacious": "works",
    "adverse event": "side effect",
    "adverse effect": "side effect",
    "randomised controlled trial": "fair test",
    "randomized controlled trial": "fair test",
    "meta-analysis": "study pooling several studies",
    "meta-analyses": "studies pooling several studies",
    "systematic review": "review of all the studies",
    "placebo": "dummy treatment",
    "cohort": "group",
    "heterogeneous": "mixed",
    "statistically significant": "unlikely to be down to chance",
    "in vitro": "in a lab dish",
    "prophylactic": "to prevent it",
    "prophylaxis": "prevention",
    "ameliorate": "improve",
    "NSAID": "anti-inflammatory painkillers like ibuprofen",
    "non-steroidal anti-inflammatory": "anti-inflammatory painkillers like ibuprofen",
}
_JARGON_BY_LOWER = {term.lower(): term for term in JARGON}
_JARGON_RE = re.compile(
    r"(?<![\w-])(?P<term>"
    + "|".join(re.escape(term) for term in sorted(JARGON, key=len, reverse=True))
    + r")(?:e?s)?(?![\w-])",
    re.IGNORECASE,
)

_counter = textstatistics()
_LINE_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#+|>)\s+")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_BARE_URL = re.compile(r"(?:https?://|www\.)\S+")
_EMPHASIS = re.compile(r"[*_`]+")
_ENDS_SENTENCE = re.compile(r"[.!?][\"')\]]*$")


@dataclass(frozen=True)
class Readability:
    smog: float | None  # None for empty text
    flesch: float | None
    words: int
    sentences: int
    polysyllables: int
    syllables: int

    @property
    def too_hard(self):
        return self.smog is not None and self.smog > SMOG_TARGET

    @property
    def reliable(self):
        """SMOG needs a few sentences to mean much."""
        return self.sentences >= MIN_SENTENCES


def as_sentences(text):
    """Markdown or plain text -> one sentence per line, as the NHS advises before scoring."""
    lines = []
    for line in (text or "").splitlines():
        line = _LINE_MARKER.sub("", line)
        line = _EMPHASIS.sub("", _BARE_URL.sub("", _LINK.sub(r"\1", line)))
        line = line.strip().rstrip(":;,").strip()
        if line:
            lines.append(line if _ENDS_SENTENCE.search(line) else f"{line}.")
    return "\n".join(lines)


def without_words(text, ignore_words):
    """Remove whole words or phrases (any case), longest first."""
    for phrase in sorted(ignore_words, key=len, reverse=True):
        text = re.sub(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", "", text, flags=re.IGNORECASE)
    return text


def readability(text, ignore_words=()):
    """SMOG grade and Flesch reading ease for `text`, leaving out `ignore_words`."""
    prepared = without_words(as_sentences(text), ignore_words)
    words = _counter.lexicon_count(prepared)
    if not words:
        return Readability(smog=None, flesch=None, words=0, sentences=0, polysyllables=0, syllables=0)
    sentences = _counter.sentence_count(prepared)
    polysyllables = _counter.polysyllabcount(prepared)
    syllables = _counter.syllable_count(prepared)
    smog = 1.043 * math.sqrt(polysyllables * 30 / sentences) + 3.1291
    flesch = 206.835 - 1.015 * (words / sentences) - 84.6 * (syllables / words)
    return Readability(
        smog=round(smog, 1),
        flesch=round(flesch, 1),
        words=words,
        sentences=sentences,
        polysyllables=polysyllables,
        syllables=syllables,
    )


def find_jargon(text):
    """Medical words in `text` with a plainer alternative: [(term, plain), ...] in order found, once each."""
    found = {}
    for match in _JARGON_RE.finditer(text or ""):
        term = _JARGON_BY_LOWER[match["term"].lower()]
        found.setdefault(term, JARGON[term])
    return list(found.items())


def patient_text_models():
    """Every model with text patients read (a `patient_text_fields` attribute), in app order."""
    return [model for model in apps.get_models() if getattr(model, "patient_text_fields", ())]


def published_objects(model):
    """Every object of `model` that patients can see: published items, and the rows of published items."""
    from .models import Publishable, Status, item_of  # noqa: PLC0415 (the scorer itself needs no Django set-up)

    queryset = model._default_manager.all()
    if issubclass(model, Publishable):
        return queryset.filter(status=Status.PUBLISHED)
    owner = item_of(model)
    if owner is not None:
        return queryset.filter(**{f"{owner[1]}__status": Status.PUBLISHED})
    return queryset


def patient_fields(obj):
    """The fields patients read, as the model lists them in `patient_text_fields`."""
    return list(getattr(obj, "patient_text_fields", ()))


def patient_text(obj):
    """All of an object's patient text, one field after another (each line a sentence)."""
    return "\n".join(getattr(obj, name) or "" for name in patient_fields(obj))


@dataclass(frozen=True)
class FieldReport:
    name: str
    label: str
    readability: Readability
    jargon: list


def content_readability_report(obj, ignore_words=SITE_TITLE_WORDS):
    """One FieldReport per patient text field of `obj` (none if its model lists no `patient_text_fields`)."""
    reports = []
    for name in patient_fields(obj):
        text = getattr(obj, name) or ""
        label = str(obj._meta.get_field(name).verbose_name).capitalize()
        reports.append(FieldReport(name, label, readability(text, ignore_words), find_jargon(text)))
    return reports


def _score(value):
    return "–" if value is None else f"{value:.1f}"


def _verdict(result):
    if result.smog is None:
        return format_html("<span>{}</span>", "Empty.")
    if result.too_hard:
        message = (
            f"Hard to read: SMOG {result.smog:.1f} is above {SMOG_TARGET}. Use shorter sentences and shorter words."
        )
        return format_html('<strong class="readability-warning">{}</strong>', message)
    return format_html("<span>{}</span>", f"OK: SMOG {SMOG_TARGET} or below.")


def _row(label, result, jargon):
    short = "" if result.smog is None or result.reliable else " (short text: a rough guide only)"
    jargon_html = format_html_join("", "<li>‘{}’: try ‘{}’</li>", jargon)
    return format_html(
        "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}{}{}</td></tr>",
        label,
        result.words,
        result.sentences,
        _score(result.smog),
        _score(result.flesch),
        _verdict(result),
        short,
        format_html("<ul>{}</ul>", jargon_html) if jargon else "",
    )


def render_admin_report(obj):
    """An HTML table for the admin: per patient text field, SMOG, Flesch, a warning above the
    target and any jargon with plainer words; then the same for all the fields together."""
    reports = content_readability_report(obj)
    if not reports:
        return format_html("<p>{}</p>", "This kind of content has no patient text to check.")
    rows = [_row(report.label, report.readability, report.jargon) for report in reports]
    whole = readability(patient_text(obj), SITE_TITLE_WORDS)
    rows.append(_row("All of the above", whole, find_jargon(patient_text(obj))))
    return format_html(
        '<table class="readability-report"><thead><tr><th scope="col">Field</th><th scope="col">Words</th>'
        '<th scope="col">Sentences</th><th scope="col">SMOG grade</th><th scope="col">Flesch reading ease</th>'
        '<th scope="col">Plain English</th></tr></thead><tbody>{}</tbody></table><p class="help">{}</p>',
        format_html_join("", "{}", ((row,) for row in rows)),
        f"SMOG is a school grade: aim for {SMOG_TARGET} or below. Flesch: higher is easier, 60 or more is plain "
        f"English. Each line counts as a sentence. Not counted: {', '.join(SITE_TITLE_WORDS)}. "
        "Scores only point to text to look at again; testing with patients is what shows it is understood.",
    )
