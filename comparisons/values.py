"""'What matters to you' and a summary to take to the appointment (issue 11, items 2 and 3).

Three GET pages, so the answers live in the address: they work without JavaScript, can be bookmarked or
shared, set no cookie and store nothing on the server.

- questions: the concern and options (the comparison's own ComparisonChoiceForm) and what matters to you;
- answers: each option's facts next to what the patient said, in the same words for every option, and
  the SURE readiness check;
- summary: one printable page with the concern, the options' key facts, the answers, the questions to ask
  the practitioner and space for notes.

The facts are the comparison's own cells (comparisons/tables.py, which words them with treatments/numbers.py),
picked by row key: nothing here words a fact a second time.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from config.cache import cache_public_page
from treatments.models import Indication, Reference, Treatment

from .models import Comparison, ComparisonTreatment
from .tables import ComparisonTable
from .views import ComparisonChoiceForm


@dataclass(frozen=True)
class Question:
    name: str  # the query parameter
    text: str  # the legend
    choices: tuple  # (value, label) pairs
    rows: tuple  # keys of the comparison rows whose facts answer it
    hint: str = ""
    timelines: bool = False  # also show the example first year (visits in a year)


QUESTIONS = (
    Question(
        "needles",
        "How much do needles, or having blood taken, bother you?",
        (("not-much", "Not much"), ("some", "Some"), ("a-lot", "A lot")),
        ("injected", "session"),
    ),
    Question(
        "visits",
        "How many visits could you make in the first year?",
        (("up-to-3", "Up to 3"), ("4-to-6", "4 to 6"), ("7-or-more", "7 or more")),
        ("first-course", "maintenance"),
        timelines=True,
    ),
    Question(
        "evidence",
        "How much does it matter to you that studies show it works?",
        (("a-lot", "A lot"), ("some", "Some"), ("not-much", "Not much")),
        ("benefit", "evidence"),
    ),
    Question(
        "cost",
        "How much does the cost of a first year matter to you?",
        (("a-lot", "A lot"), ("some", "Some"), ("not-much", "Not much")),
        ("cost", "first-course", "maintenance"),
        hint="We do not show prices: we found no reliable survey of them.",
    ),
    Question(
        "daily",
        "Would you rather use something every day at home, or go to a clinic for sessions?",
        (("daily", "Every day at home"), ("sessions", "Sessions at a clinic"), ("either", "Either is fine")),
        ("what-it-is", "first-course", "living-with"),
    ),
    Question(
        "soon",
        "How soon do you want to see a change?",
        (("1-month", "Within a month"), ("3-months", "Within 3 months"), ("can-wait", "I can wait longer")),
        ("results-show", "results-last"),
    ),
    Question(
        "side-effects",
        "How much would a few days of redness, swelling or bruising bother you?",
        (("not-much", "Not much"), ("some", "Some"), ("a-lot", "A lot")),
        ("downtime", "side-effects"),
    ),
)

# The SURE test (Légaré and others, 2010), as the Ottawa decision aids use it: a "no" to any question means
# the person may not be ready to decide, so each comes with what to do about it.
SURE = (
    Question(
        "sure",
        "Do you feel sure about the best choice for you?",
        (("yes", "Yes"), ("no", "No")),
        (),
        hint="If not: take your time. You do not have to decide at your first visit, or at all.",
    ),
    Question(
        "understand",
        "Do you know the benefits and risks of each option?",
        (("yes", "Yes"), ("no", "No")),
        (),
        hint="If not: read the comparison again, and ask the practitioner the questions on your summary.",
    ),
    Question(
        "values-clear",
        "Are you clear about which benefits and risks matter most to you?",
        (("yes", "Yes"), ("no", "No")),
        (),
        hint="If not: go back to the questions about what matters to you, and talk them over.",
    ),
    Question(
        "support",
        "Do you have enough support and advice to make a choice?",
        (("yes", "Yes"), ("no", "No")),
        (),
        hint="If not: talk it over with someone you trust, or with your GP, before you book.",
    ),
)

# Questions to ask the practitioner, as issue 11 lists them.
PRACTITIONER_QUESTIONS = (
    "What training do you have, and which register are you on? Can I check it?",
    "Who will do the injecting: you, or someone else?",
    "What is in the mix, and where does it come from?",
    "Is the kit sterile, sealed and used once, for me only?",
    "What are the most common problems, and what happens if something goes wrong? Who do I call?",
    "What should I do, and not do, after each session?",
    "What is the total cost of a first course, and of a year of top-ups?",
    "Can I take time to decide, with no pressure to book today?",
)

ALL_QUESTIONS = QUESTIONS + SURE
QUERY = ("concern", *(question.name for question in ALL_QUESTIONS))
LISTS = ("treatments",)


@dataclass
class Answer:
    question: Question
    value: str = ""

    @property
    def label(self):
        return dict(self.question.choices).get(self.value, "")


@dataclass
class Fact:
    """One row of the comparison: its label and one cell per option, in the options' order."""

    key: str
    label: str
    pairs: list  # (treatment, cell) for each option


@dataclass
class Matter:
    """What the patient said about one question, and the facts that answer it."""

    answer: Answer
    facts: list = field(default_factory=list)
    timelines: list = field(default_factory=list)


def read_answers(query, questions):
    """(answers, errors): the answer to each question, and a plain message for each one not understood."""
    answers, errors = [], []
    for question in questions:
        value = query.get(question.name, "")
        if value and value not in dict(question.choices):
            errors.append(
                f"We did not understand your answer to “{question.text}” Please choose one of the answers given."
            )
            value = ""
        answers.append(Answer(question, value))
    return answers, errors


def _choice(request, comparison):
    """The concern and options, read with the comparison's own form; unknown ones give a message, not a 404."""
    indications = list(Indication.objects.published())
    available = list(Treatment.objects.published())
    columns = {
        column.treatment_id: column
        for column in ComparisonTreatment.objects.filter(comparison=comparison).prefetch_related("references")
    }
    starting = comparison.indication if comparison.indication in indications else None
    concern = starting or (indications[0] if indications else None)
    chosen_slugs = [t.slug for t in available if t.pk in columns]
    errors = []
    asked_concern = request.GET.get("concern", "")
    asked_treatments = [slug for slug in request.GET.getlist("treatments") if slug]  # the form sends one empty
    known = [slug for slug in asked_treatments if slug in {t.slug for t in available}]
    if asked_concern and asked_concern not in {i.slug for i in indications}:
        errors.append("We do not know that concern. Please choose one of the concerns listed.")
        asked_concern = ""
    if len(known) != len(asked_treatments):
        errors.append("We do not know one of those treatments. Please choose from the treatments listed.")
    submitted = "treatments" in request.GET
    data = {"concern": asked_concern, "treatments": known} if (asked_concern or known or submitted) else None
    form = ComparisonChoiceForm(data, indications=indications, available=available, submitted=submitted)
    if data is not None:
        if form.is_valid():
            concern = form.cleaned_data["concern"] or concern
            chosen_slugs = [t.slug for t in form.cleaned_data["treatments"]] or chosen_slugs
        else:
            errors.extend(error for field_errors in form.errors.values() for error in field_errors)
    if concern is None:
        raise Http404("No concerns are set up yet.")
    return {
        "indications": indications,
        "available": available,
        "columns": columns,
        "concern": concern,
        "chosen_slugs": chosen_slugs,
        "errors": errors,
    }


def _context(request, slug):
    comparison = get_object_or_404(Comparison.objects.published().select_related("indication"), slug=slug)
    choice = _choice(request, comparison)
    answers, answer_errors = read_answers(request.GET, QUESTIONS)
    sure, sure_errors = read_answers(request.GET, SURE)
    choice["errors"] += answer_errors + sure_errors
    return comparison, choice, answers, sure


def _matters(request, comparison, choice, answers):
    treatments = (
        Treatment.objects.published()
        .filter(slug__in=choice["chosen_slugs"])
        .for_comparison(indication=choice["concern"])
    )
    table = ComparisonTable(treatments, choice["concern"], Reference.objects.citation_numbers(), choice["columns"])
    rows = {
        row.key: Fact(row.key, row.label, list(zip(table.treatments, row.cells, strict=True)))
        for group in table.groups
        for row in group.rows
    }
    timelines = table.timelines
    matters = [
        Matter(
            answer=answer,
            facts=[rows[key] for key in answer.question.rows if key in rows],
            timelines=timelines if answer.question.timelines else [],
        )
        for answer in answers
    ]
    return table, matters


def _query_string(choice, answers):
    """The address's query for these choices and answers, so every link carries exactly what was understood."""
    pairs = [("concern", choice["concern"].slug), *(("treatments", slug) for slug in choice["chosen_slugs"])]
    pairs += [(answer.question.name, answer.value) for answer in answers if answer.value]
    return urlencode(pairs)


@require_safe
@cache_public_page(query=QUERY, lists=LISTS)
def questions(request, slug):
    comparison, choice, answers, sure = _context(request, slug)
    context = {
        "comparison": comparison,
        **choice,
        "answers": answers,
        "sure": sure,
        "review": comparison,
    }
    return render(request, "values/questions.html", context, status=400 if choice["errors"] else 200)


@require_safe
@cache_public_page(query=QUERY, lists=LISTS)
def answers(request, slug):
    comparison, choice, answers, sure = _context(request, slug)
    if choice["errors"]:
        context = {"comparison": comparison, **choice, "answers": answers, "sure": sure, "review": comparison}
        return render(request, "values/questions.html", context, status=400)
    table, matters = _matters(request, comparison, choice, answers)
    context = {
        "comparison": comparison,
        **choice,
        "table": table,
        "matters": matters,
        "answered": [answer for answer in answers if answer.value],
        "sure": sure,
        "query": _query_string(choice, answers + sure),
        "changes_about": [comparison, *table.treatments],
        "review": comparison,
    }
    return render(request, "values/answers.html", context)


@require_safe
@cache_public_page(query=QUERY, lists=LISTS)
def summary(request, slug):
    comparison, choice, answers, sure = _context(request, slug)
    if choice["errors"]:
        context = {"comparison": comparison, **choice, "answers": answers, "sure": sure, "review": comparison}
        return render(request, "values/questions.html", context, status=400)
    table, matters = _matters(request, comparison, choice, answers)
    key_facts = list({fact.key: fact for matter in matters for fact in matter.facts}.values())
    context = {
        "comparison": comparison,
        **choice,
        "table": table,
        "matters": matters,
        "key_facts": key_facts,
        "sure": sure,
        "practitioner_questions": PRACTITIONER_QUESTIONS,
        "query": _query_string(choice, answers + sure),
        "review": comparison,
    }
    return render(request, "values/summary.html", context)
