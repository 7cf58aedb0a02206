"""The rows that describe an option, declared once, and the cell each holds for one option.

The treatment page shows these rows for one option (its concern rows once per concern); the comparison
(comparisons/tables.py) shows them across options, and the "what matters to you" pages pick rows by key, so a
fact is worded in one place. Each cell leads with a short answer; everything else is its detail, shown behind a
disclosure on the comparison. Every value carries the sources that back it, already numbered for citation.
"""

from dataclasses import dataclass, field

from .models import NOT_KNOWN as NOT_KNOWN_FACT
from .models import CautionKind, CitationTopic, EvidenceStrength, HowUsed
from .numbers import NOT_MEASURED, benefit_estimate, side_effect_estimate
from .presentation import numbered

NOT_KNOWN = NOT_KNOWN_FACT
CLINIC_ESTIMATE = "Clinic estimate, not measured in a study"
NO_SIDE_EFFECTS = "None reported in the sources we used."
NOTHING_GIVEN = "None: no treatment is given."
NO_CAUTIONS = "None listed in the sources we used."
TELL_PRACTITIONER = "Tell your practitioner if"


@dataclass
class Item:
    text: str
    detail: str = ""
    serious: bool = False
    citations: list = field(default_factory=list)
    estimate: object = None  # a treatments.numbers.Estimate, shown before the detail
    notes: str = ""


@dataclass
class ItemList:
    items: list
    heading: str = ""  # a lead-in, for example "Tell your practitioner if"


@dataclass
class Cell:
    # The short answer, always in view: a number with its certainty, an evidence badge or a few words.
    answer: str = ""
    estimate: object = None  # a treatments.numbers.Estimate: its headline leads, the rest is detail
    lead: object = None  # an Estimate whose headline leads the answer, its detail shown elsewhere in the cell
    evidence: int | None = None
    evidence_label: str = ""
    # The detail, behind a disclosure on the comparison.
    label: str = ""  # says where the value comes from, for example "Clinic estimate"
    text: str = ""
    lists: list = field(default_factory=list)  # ItemLists
    notes: str = ""  # the caveats stored with the value
    citations: list = field(default_factory=list)
    # Set by the row: which option and row this is, for narrow screens and for disclosure names.
    column: str = ""
    row_label: str = ""

    @property
    def has_detail(self):
        estimate_detail = self.estimate and (
            self.estimate.icons
            or self.estimate.details
            or self.estimate.measured_in
            or self.estimate.certainty_reason
            or self.estimate.caveats
            or (not self.estimate.measured and self.estimate.citations)
        )
        return bool(estimate_detail or self.label or self.text or self.lists or self.notes or self.citations)

    @property
    def items(self):
        return [item for item_list in self.lists for item in item_list.items]


@dataclass(frozen=True)
class RowDeclaration:
    key: str
    label: str
    cell: str  # the name of the CellBuilder method that makes this row's cell for one option
    per_concern: bool = False  # its facts belong to one concern: the treatment page shows it under each


@dataclass(frozen=True)
class GroupDeclaration:
    label: str
    rows: tuple


ROWS = (
    GroupDeclaration(
        "What it involves",
        (
            RowDeclaration("what-it-is", "What it is", "what_it_is"),
            RowDeclaration("injected", "What is injected", "injected"),
            RowDeclaration("session", "What a session is like", "session"),
        ),
    ),
    GroupDeclaration(
        "Benefits: what studies found",
        (
            RowDeclaration("benefit", "Best estimate of benefit", "benefit", per_concern=True),
            RowDeclaration("evidence", "Strength of evidence", "evidence", per_concern=True),
            RowDeclaration("results-show", "When results show", "results_show", per_concern=True),
            RowDeclaration("results-last", "How long results last", "results_last", per_concern=True),
        ),
    ),
    GroupDeclaration(
        "Harms: side effects and risks",
        (
            RowDeclaration("side-effects", "Side effects and how common they are", "side_effects"),
            RowDeclaration("should-not", "Who should not have it", "cautions"),
        ),
    ),
    GroupDeclaration(
        "Time and cost",
        (
            RowDeclaration("first-course", "Sessions in a first course", "first_course", per_concern=True),
            RowDeclaration("maintenance", "Top-up sessions", "maintenance", per_concern=True),
            RowDeclaration("downtime", "Downtime", "downtime"),
            RowDeclaration("cost", "Cost", "cost"),
            RowDeclaration("living-with", "What living with it is like", "living_with"),
        ),
    ),
)


@dataclass
class Row:
    key: str
    label: str
    cells: list


@dataclass
class RowGroup:
    label: str
    rows: list


def and_more(first, rest):
    return f"{first}, and {rest} more." if rest else f"{first}."


class CellBuilder:
    """Words each row's cell for one option; `link` is the option's TreatmentIndication for the concern."""

    def __init__(self, numbers, indication=None):
        self.numbers = numbers
        self.indication = indication

    def cite(self, references):
        return numbered(references, self.numbers)

    def profile_citations(self, treatment, *topics):
        return self.cite({c.reference for c in treatment.citations.all() if c.topic in topics})

    def build(self, declaration, treatment, link):
        if declaration.per_concern and link is None:
            cell = Cell(answer=f"Not usually offered for {self.indication.name.lower()}.")
        else:
            cell = getattr(self, declaration.cell)(treatment, link)
        cell.column = treatment.short_name
        cell.row_label = declaration.label
        return cell

    def what_it_is(self, treatment, link):
        return Cell(
            answer=f"{treatment.get_how_used_display()}.",
            text=f"{treatment.summary}\n\n{treatment.how_it_works}",
            citations=self.profile_citations(treatment, CitationTopic.SUMMARY, CitationTopic.HOW_IT_WORKS),
        )

    def injected(self, treatment, link):
        ingredients = [Item(i.name, i.purpose) for i in treatment.ingredients.all()]
        return Cell(
            answer=f"{treatment.get_source_display()}.",
            text=treatment.what_is_injected,
            lists=[ItemList(ingredients)] if ingredients else [],
            citations=self.profile_citations(treatment, CitationTopic.WHAT_IS_INJECTED),
        )

    def session(self, treatment, link):
        return Cell(
            answer=" ".join(treatment.session_lines()),
            label=CLINIC_ESTIMATE if treatment.session_length_is_estimate else "",
            text=f"{treatment.numbing}\n\n{treatment.session_steps}".strip(),
            citations=self.profile_citations(treatment, CitationTopic.SESSION),
        )

    def benefit(self, treatment, link):
        return Cell(estimate=benefit_estimate(link, self.numbers))

    def evidence(self, treatment, link):
        return Cell(
            evidence=link.evidence_strength,
            evidence_label=EvidenceStrength(link.evidence_strength).label,
            text=link.evidence_summary,
            notes=link.notes,
            citations=self.cite(link.references.all()),
        )

    def _schedule(self, link, text, applies):
        """A course or results value; only a value that applies to this option is cited."""
        cited = applies and text
        return Cell(answer=text or NOT_KNOWN, citations=self.cite(link.references.all()) if cited else [])

    def results_show(self, treatment, link):
        return self._schedule(link, link.results_show_text(), treatment.how_used != HowUsed.NOTHING)

    def results_last(self, treatment, link):
        return self._schedule(link, link.results_last_text(), treatment.how_used != HowUsed.NOTHING)

    def first_course(self, treatment, link):
        return self._schedule(link, link.first_course_text(), link.has_sessions)

    def maintenance(self, treatment, link):
        return self._schedule(link, link.maintenance_text(), link.has_sessions)

    def side_effects(self, treatment, link):
        effects = list(treatment.side_effects.all())
        if not effects:
            return Cell(answer=NOTHING_GIVEN if treatment.how_used == HowUsed.NOTHING else NO_SIDE_EFFECTS)
        items = [
            Item(
                effect.name,
                f"How long it lasts: {effect.duration.rstrip('.')}.",
                serious=effect.is_serious,
                citations=self.cite(effect.references.all()),
                estimate=side_effect_estimate(effect, self.numbers),
                notes=effect.notes,
            )
            for effect in effects
        ]
        serious = sum(effect.is_serious for effect in effects)
        answer = f"{len(effects)} listed" + (f", {serious} of them serious." if serious else ", none serious.")
        counted = [item for item in items if item.estimate.icons]  # measured as people in 100
        commonest = max(counted, key=lambda item: item.estimate.icons.count, default=None)
        if commonest is None:
            answer += f" {NOT_MEASURED}"
        return Cell(answer=answer, lead=commonest.estimate if commonest else None, lists=[ItemList(items)])

    def cautions(self, treatment, link):
        cautions = list(treatment.cautions.all())
        lists = [
            ItemList(
                [Item(c.name, citations=self.cite(c.references.all())) for c in cautions if c.kind == kind],
                heading,
            )
            for kind, heading in ((CautionKind.SHOULD_NOT, ""), (CautionKind.TELL_PRACTITIONER, TELL_PRACTITIONER))
        ]
        lists = [item_list for item_list in lists if item_list.items]
        should_not = [c for c in cautions if c.kind == CautionKind.SHOULD_NOT]
        answer = and_more(should_not[0].name, len(should_not) - 1) if should_not else NO_CAUTIONS
        return Cell(answer=answer, lists=lists)

    def downtime(self, treatment, link):
        return Cell(
            answer=treatment.downtime_line(),
            label=CLINIC_ESTIMATE if treatment.in_sessions and treatment.downtime_days_min is not None else "",
            citations=self.profile_citations(treatment, CitationTopic.DOWNTIME),
        )

    def living_with(self, treatment, link):
        if not treatment.living_with.strip():
            return Cell(answer=NOT_KNOWN)
        first, _, rest = treatment.living_with.strip().partition(". ")  # its first sentence is the short answer
        return Cell(
            answer=f"{first}." if rest else first,
            text=rest,
            citations=self.profile_citations(treatment, CitationTopic.LIVING_WITH),
        )

    def cost(self, treatment, link):
        return Cell(
            answer=f"{treatment.get_cost_tier_display()}.",
            text=treatment.cost_notes,
            citations=self.profile_citations(treatment, CitationTopic.COST),
        )


def concern_link(treatment):
    """The option's facts for the concern its queryset was narrowed to (`for_comparison(indication=...)`)."""
    return next(iter(treatment.indication_links.all()), None)


@dataclass
class ConcernRows:
    indication: object
    rows: list  # (label, cell) pairs


class TreatmentRows:
    """The same rows for one option: its own facts once, and the concern rows under each of its concerns."""

    def __init__(self, treatment, numbers):
        self.treatment = treatment
        self.builder = CellBuilder(numbers)

    def _rows(self, per_concern, link=None):
        return [
            Row(row.key, row.label, [self.builder.build(row, self.treatment, link)])
            for group in ROWS
            for row in group.rows
            if row.per_concern == per_concern
        ]

    @property
    def profile(self):
        return self._rows(per_concern=False)

    @property
    def concerns(self):
        return [ConcernRows(link.indication, self._rows(True, link)) for link in self.treatment.indication_links.all()]
