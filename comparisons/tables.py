"""Turns treatments into the rows of a side-by-side table, so templates only loop.

Every value carries the sources that back it, already numbered for citation.
"""

from dataclasses import dataclass, field

from treatments.models import NOT_KNOWN as NOT_KNOWN_FACT
from treatments.models import CautionKind, CitationTopic, EvidenceStrength, HowUsed
from treatments.numbers import benefit_estimate, side_effect_estimate
from treatments.presentation import numbered

NOT_KNOWN = NOT_KNOWN_FACT
CLINIC_ESTIMATE = "Clinic estimate, not measured in a study"
NO_SIDE_EFFECTS = "None reported in the sources we used."
NOTHING_GIVEN = "None: no treatment is given."
NO_CAUTIONS = "None listed in the sources we used."


@dataclass
class Item:
    text: str
    detail: str = ""
    serious: bool = False
    citations: list = field(default_factory=list)
    estimate: object = None  # a treatments.numbers.Estimate, shown before the detail
    notes: str = ""


@dataclass
class Cell:
    text: str = ""
    lines: list = field(default_factory=list)
    items: list = field(default_factory=list)
    citations: list = field(default_factory=list)
    evidence: int | None = None
    evidence_label: str = ""
    estimate: object = None  # a treatments.numbers.Estimate, shown first
    label: str = ""  # says where the value comes from, for example "Clinic estimate"
    heading: str = ""  # a lead-in for the items, for example "Tell your practitioner if"
    notes: str = ""  # the caveats stored with the value, shown after it
    column: str = ""  # the treatment's short name, repeated in each cell on narrow screens


@dataclass
class Row:
    key: str
    label: str
    cells: list


@dataclass
class RowGroup:
    label: str
    rows: list


@dataclass
class Timeline:
    """An example first year of sessions, drawn as an SVG strip."""

    treatment: str
    description: str
    sessions: list  # x positions of session dots
    top_ups: list  # x positions of top-up dots

    WIDTH = 520
    LEFT = 12
    WEEKS = 52

    @classmethod
    def x(cls, week):
        return round(cls.LEFT + week * (cls.WIDTH - 2 * cls.LEFT) / cls.WEEKS, 1)

    @classmethod
    def month_marks(cls):
        return [{"x": cls.x(month * 52 / 12), "label": month} for month in (0, 3, 6, 9, 12)]


class ComparisonTable:
    def __init__(self, treatments, indication, numbers, columns=None):
        self.treatments = list(treatments)
        self.indication = indication
        self.numbers = numbers
        self.columns = columns or {}

    def cite(self, references):
        return numbered(references, self.numbers)

    def profile_citations(self, treatment, topic):
        return self.cite(c.reference for c in treatment.citations.all() if c.topic == topic)

    def link(self, treatment):
        return next(iter(treatment.indication_links.all()), None)

    def row(self, key, label, build):
        cells = []
        for treatment in self.treatments:
            cell = build(treatment)
            cell.column = treatment.short_name
            cells.append(cell)
        return Row(key, label, cells)

    @property
    def names(self):
        """'PRP, Minoxidil and Finasteride': the columns in words, for the caption."""
        names = [t.short_name for t in self.treatments]
        return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

    def schedule_cell(self, treatment, value):
        link = self.link(treatment)
        if link is None:
            return Cell(text=f"Not usually offered for {self.indication.name.lower()}.")
        text = value(link)
        if not text:
            return Cell(text=NOT_KNOWN)
        return Cell(text=text, citations=self.cite(link.references.all()))

    @property
    def groups(self):
        return [
            RowGroup(
                "What it is",
                [
                    self.row(
                        "summary",
                        "What it is",
                        lambda t: Cell(text=t.summary, citations=self.profile_citations(t, CitationTopic.SUMMARY)),
                    ),
                    self.row(
                        "how-it-works",
                        "How it works",
                        lambda t: Cell(
                            text=t.how_it_works, citations=self.profile_citations(t, CitationTopic.HOW_IT_WORKS)
                        ),
                    ),
                    self.row(
                        "injected",
                        "What is injected",
                        lambda t: Cell(
                            lines=[t.get_source_display() + "."],
                            text=t.what_is_injected,
                            items=[Item(i.name, i.purpose) for i in t.ingredients.all()],
                            citations=self.profile_citations(t, CitationTopic.WHAT_IS_INJECTED),
                        ),
                    ),
                    self.row(
                        "session",
                        "What a session is like",
                        lambda t: Cell(
                            label=CLINIC_ESTIMATE if t.session_length_is_estimate else "",
                            lines=t.session_lines(),
                            text=f"{t.numbing}\n\n{t.session_steps}",
                            citations=self.profile_citations(t, CitationTopic.SESSION),
                        ),
                    ),
                ],
            ),
            RowGroup(
                "Benefits: what studies found",
                [
                    self.row("benefit", "Best estimate of benefit", self.benefit_cell),
                    self.row("evidence", "Strength of evidence", self.evidence_cell),
                    self.row(
                        "results-show",
                        "When results show",
                        lambda t: self.schedule_cell(t, lambda link: link.results_show_text()),
                    ),
                    self.row(
                        "results-last",
                        "How long results last",
                        lambda t: self.schedule_cell(t, lambda link: link.results_last_text()),
                    ),
                ],
            ),
            RowGroup(
                "Harms: side effects and risks",
                [
                    self.row("side-effects", "Side effects and how common they are", self.side_effects_cell),
                    self.row("should-not", "Who should not have it", self.cautions_cell),
                    self.row("tell-practitioner", "Tell your practitioner if", self.tell_practitioner_cell),
                ],
            ),
            RowGroup(
                "Time and cost",
                [
                    self.row(
                        "first-course",
                        "Sessions in a first course",
                        lambda t: self.schedule_cell(t, lambda link: link.first_course_text()),
                    ),
                    self.row(
                        "maintenance",
                        "Top-up sessions",
                        lambda t: self.schedule_cell(t, lambda link: link.maintenance_text()),
                    ),
                    self.row(
                        "downtime",
                        "Downtime",
                        lambda t: Cell(
                            label=CLINIC_ESTIMATE if t.in_sessions and t.downtime_days_min is not None else "",
                            lines=[t.downtime_line()],
                            citations=self.profile_citations(t, CitationTopic.DOWNTIME),
                        ),
                    ),
                    self.row(
                        "cost",
                        "Cost",
                        lambda t: Cell(
                            lines=[t.get_cost_tier_display() + "."],
                            text=t.cost_notes,
                            citations=self.profile_citations(t, CitationTopic.COST),
                        ),
                    ),
                    self.row(
                        "living-with",
                        "What living with it is like",
                        lambda t: Cell(
                            text=t.living_with or NOT_KNOWN,
                            citations=self.profile_citations(t, CitationTopic.LIVING_WITH),
                        ),
                    ),
                ],
            ),
            RowGroup(
                "Is it for you?",
                [self.row("may-suit", "May suit you if", self.may_suit_cell)],
            ),
        ]

    def benefit_cell(self, treatment):
        link = self.link(treatment)
        if link is None:
            return Cell(text=f"Not usually offered for {self.indication.name.lower()}.")
        return Cell(estimate=benefit_estimate(link, self.numbers))

    def evidence_cell(self, treatment):
        link = self.link(treatment)
        if link is None:
            return Cell(text=f"Not usually offered for {self.indication.name.lower()}.")
        return Cell(
            evidence=link.evidence_strength,
            evidence_label=EvidenceStrength(link.evidence_strength).label,
            text=link.evidence_summary,
            notes=link.notes,
            citations=self.cite(link.references.all()),
        )

    def side_effects_cell(self, treatment):
        if not treatment.side_effects.all():
            return Cell(text=NOTHING_GIVEN if treatment.how_used == HowUsed.NOTHING else NO_SIDE_EFFECTS)
        return Cell(
            items=[
                Item(
                    effect.name,
                    f"How long it lasts: {effect.duration.rstrip('.')}.",
                    serious=effect.is_serious,
                    citations=self.cite(effect.references.all()),
                    estimate=side_effect_estimate(effect, self.numbers),
                    notes=effect.notes,
                )
                for effect in treatment.side_effects.all()
            ]
        )

    def cautions_cell(self, treatment):
        items = [
            Item(c.name, citations=self.cite(c.references.all()))
            for c in treatment.cautions.all()
            if c.kind == CautionKind.SHOULD_NOT
        ]
        return Cell(items=items) if items else Cell(text=NO_CAUTIONS)

    def tell_practitioner_cell(self, treatment):
        items = [
            Item(c.name, citations=self.cite(c.references.all()))
            for c in treatment.cautions.all()
            if c.kind == CautionKind.TELL_PRACTITIONER
        ]
        return Cell(items=items) if items else Cell(text="Nothing listed.")

    def may_suit_cell(self, treatment):
        column = self.columns.get(treatment.pk)
        if column is None:
            return Cell(text="Ask your practitioner whether it suits you.")
        return Cell(
            items=[Item(line.strip()) for line in column.may_suit_you_if.splitlines() if line.strip()],
            citations=self.cite(column.references.all()),
        )

    @property
    def timelines(self):
        timelines = []
        for treatment in self.treatments:
            link = self.link(treatment)
            if link is None or not link.has_sessions:  # only options given in sessions have a timeline
                continue
            count, gap = link.first_course_sessions_min, link.weeks_between_sessions_min
            sessions = [week * gap for week in range(count) if week * gap <= Timeline.WEEKS]
            top_ups = []
            if link.maintenance_months_min:
                step = link.maintenance_months_min * 52 / 12
                week = sessions[-1] + step
                while week <= Timeline.WEEKS:
                    top_ups.append(week)
                    week += step
            description = (
                f"{treatment.short_name}: {count} sessions, {gap} weeks apart"
                + (
                    f", then a top-up every {link.maintenance_months_min} months"
                    if link.maintenance_months_min
                    else ", then top-ups if needed (how often is not known)"
                )
                + f". That is {len(sessions) + len(top_ups)} visits in the first year."
            )
            timelines.append(
                Timeline(
                    treatment=treatment.short_name,
                    description=description,
                    sessions=[Timeline.x(week) for week in sessions],
                    top_ups=[Timeline.x(week) for week in top_ups],
                )
            )
        return timelines
