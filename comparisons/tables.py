"""The comparison: the option rows of treatments/rows.py across the chosen options, for one concern, plus the
comparison's own row ("May suit you if") and an example first year of visits.

`ComparisonTable` holds the cells as values (the "what matters to you" pages match on them); the comparison
page shows a `RenderedTable`, whose cells are HTML made by components/cell.html once per option, concern and
content generation (see `RenderedTable.build`)."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from treatments.rows import (
    ROWS,
    Cell,
    CellBuilder,
    GroupDeclaration,
    Item,
    ItemList,
    Row,
    RowDeclaration,
    RowGroup,
    and_more,
    concern_link,
)
from workflow.kept import generation as kept_generation
from workflow.kept import kept_key, store

COMPARISON_ROWS = (
    *ROWS,
    GroupDeclaration("Is it for you?", (RowDeclaration("may-suit", "May suit you if", "may_suit"),)),
)


class ComparisonCellBuilder(CellBuilder):
    """Adds the cells that come from the comparison itself: its notes on whom each option may suit."""

    def __init__(self, numbers, indication, columns):
        super().__init__(numbers, indication)
        self.columns = columns

    def may_suit(self, treatment, link):
        column = self.columns.get(treatment.pk)
        lines = [line.strip() for line in column.may_suit_you_if.splitlines() if line.strip()] if column else []
        if not lines:
            return Cell(answer="Ask your practitioner whether it suits you.")
        return Cell(
            answer=and_more(lines[0].rstrip("."), len(lines) - 1),
            lists=[ItemList([Item(line) for line in lines])],
            citations=self.cite(column.references.all()),
        )


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
    """The rows across the chosen options, for one concern."""

    def __init__(self, treatments, indication, numbers, columns=None):
        self.treatments = list(treatments)
        self.indication = indication
        self.builder = ComparisonCellBuilder(numbers, indication, columns or {})

    @property
    def names(self):
        return names_in_words(self.treatments)

    @property
    def groups(self):
        links = [concern_link(treatment) for treatment in self.treatments]
        return grouped_rows(
            lambda row: [self.builder.build(row, t, link) for t, link in zip(self.treatments, links, strict=True)]
        )

    @property
    def timelines(self):
        return [timeline for timeline in map(self.timeline, self.treatments) if timeline is not None]

    def timeline(self, treatment):
        link = concern_link(treatment)
        if link is None or not link.has_sessions:  # only options given in sessions have a timeline
            return None
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
        return Timeline(
            treatment=treatment.short_name,
            description=description,
            sessions=[Timeline.x(week) for week in sessions],
            top_ups=[Timeline.x(week) for week in top_ups],
        )


def grouped_rows(cells):
    """COMPARISON_ROWS as RowGroups of Rows, each row's cells from `cells(row declaration)`."""
    return [
        RowGroup(group.label, [Row(row.key, row.label, cells(row)) for row in group.rows]) for group in COMPARISON_ROWS
    ]


def names_in_words(treatments):
    """'PRP, Minoxidil and Finasteride': the columns in words, for the caption."""
    names = [t.short_name for t in treatments]
    return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)


TABLE_CELL = "comparisons/comparison_detail.html#table-cell"  # one option's <td> in a row


@dataclass
class RenderedColumn:
    cells: dict  # row key -> the option's <td> in that row (TABLE_CELL)
    timeline: str  # its example first year (components/timeline.html), or "" if it has none


class RenderedTable:
    """The comparison page's table: the same rows as ComparisonTable, each row's cells already HTML.

    A column depends only on its option, the concern, the comparison and the content, so it is rendered once
    per content generation and kept in this process (workflow/kept.py): every choice of options that includes
    it reuses it. For a staff preview, or a request inside a transaction, everything is rendered afresh and
    nothing is kept."""

    def __init__(self, treatments, indication, columns):
        self.treatments = treatments
        self.indication = indication
        self.columns = columns  # treatment pk -> RenderedColumn

    @classmethod
    def build(cls, request, comparison, indication, treatments, fetch):
        """`treatments`: the chosen options, in order (plain rows). `fetch(pks)` returns a ComparisonTable of
        those options with everything their cells show; it is called only for columns not kept already."""
        generation = kept_generation(request)
        keys = {t.pk: kept_key("column", generation, comparison.pk, indication.pk, t.pk) for t in treatments}
        found = store().get_many(keys.values()) if generation is not None else {}
        columns = {pk: found[key] for pk, key in keys.items() if key in found}
        missing = [t.pk for t in treatments if t.pk not in columns]
        if missing:
            made = cls._render(fetch(missing))
            columns.update(made)
            if generation is not None:
                store().set_many({keys[pk]: column for pk, column in made.items()})
        # An option taken down or deleted after this request read the generation is not fetched: leave it out.
        return cls([t for t in treatments if t.pk in columns], indication, columns)

    @staticmethod
    def _render(table):
        cells = {t.pk: {} for t in table.treatments}
        for group in table.groups:
            for row in group.rows:
                for treatment, cell in zip(table.treatments, row.cells, strict=True):
                    cells[treatment.pk][row.key] = render_to_string(TABLE_CELL, {"cell": cell})
        timelines = {t.pk: table.timeline(t) for t in table.treatments}
        return {
            pk: RenderedColumn(
                cells[pk], render_to_string("components/timeline.html", {"timeline": timeline}) if timeline else ""
            )
            for pk, timeline in timelines.items()
        }

    @property
    def names(self):
        return names_in_words(self.treatments)

    @property
    def groups(self):
        return grouped_rows(lambda row: mark_safe("".join(self.columns[t.pk].cells[row.key] for t in self.treatments)))

    @property
    def timelines(self):
        """The example first years, as HTML."""
        return [self.columns[t.pk].timeline for t in self.treatments if self.columns[t.pk].timeline]
