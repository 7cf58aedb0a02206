"""Numbers as patients read them, declared once for the comparison and the treatment pages.

A number is shown as a natural frequency with one denominator ("About 95 in 100 people had redness"), with
its certainty in GRADE's words, what the study tested, and its source beside it. Where nothing was measured,
every option says so in the same words.
"""

from dataclasses import dataclass, field

from .models import Certainty, Frequency
from .presentation import numbered

# The same words for every option, wherever a rate or a benefit was not measured.
NOT_MEASURED = "How often it happens has not been measured."
NO_RELIABLE_NUMBER = "No reliable number."
FROM_NEEDLES = (
    "This came from the needles, not from what was injected, so it is shown for every treatment given by injection."
)


def per_100(count, what):
    """'About 95 in 100 people had redness': a natural frequency, always out of 100."""
    return f"About {count} in 100 people {what}"


def certainty_label(value):
    return f"Certainty: {Certainty(value).label.lower()}" if value else ""


@dataclass
class IconArray:
    """100 figures in a 10 by 10 grid, the first `count` filled: drawn by the `icon_array` tag (treatments/templatetags/evidence.py)."""

    count: int
    label: str

    SIZE = 10
    CELL = 14

    @property
    def width(self):
        return self.SIZE * self.CELL


@dataclass
class Estimate:
    """A number (or the plain statement that there is none) with everything that qualifies it."""

    headline: str
    certainty: str = ""
    certainty_reason: str = ""
    details: list = field(default_factory=list)  # (label, value) pairs: range, compared with, time frame
    measured_in: str = ""
    caveats: list = field(default_factory=list)
    citations: list = field(default_factory=list)
    icons: IconArray | None = None
    measured: bool = True


def side_effect_estimate(effect, numbers):
    """How often a side effect happens, as the pages show it."""
    if effect.people_per_100 is not None:
        what = f"had {effect.name[0].lower()}{effect.name[1:]}" + (
            " from the injections" if effect.from_needles else ""
        )
        headline = per_100(effect.people_per_100, what) + "."
        return Estimate(
            headline=headline,
            certainty=certainty_label(effect.certainty),
            certainty_reason=effect.certainty_reason,
            measured_in=effect.measured_in,
            caveats=[FROM_NEEDLES] if effect.from_needles else [],
            citations=numbered([effect.rate_source], numbers),
            icons=IconArray(effect.people_per_100, headline),
        )
    if effect.frequency == Frequency.NOT_KNOWN:
        return Estimate(headline=NOT_MEASURED, measured=False)
    return Estimate(headline=f"{effect.get_frequency_display()}.", certainty=certainty_label(effect.certainty))


def benefit_estimate(link, numbers):
    """The best estimate of benefit a source gives for one treatment and concern, or why there is none."""
    if not link.benefit_estimate:
        return Estimate(
            headline=NO_RELIABLE_NUMBER,
            caveats=[link.no_number_reason] if link.no_number_reason else [],
            citations=numbered(link.references.all(), numbers),
            measured=False,
        )
    details = [
        ("Range", link.benefit_range),
        ("Compared with", link.benefit_compared_with),
        ("Time frame", link.benefit_time_frame),
    ]
    icons = None
    if link.benefit_people_per_100 is not None:
        icons = IconArray(link.benefit_people_per_100, per_100(link.benefit_people_per_100, "were better") + ".")
    return Estimate(
        headline=link.benefit_estimate,
        certainty=certainty_label(link.benefit_certainty),
        certainty_reason=link.benefit_certainty_reason,
        details=[(label, value) for label, value in details if value],
        citations=numbered([link.benefit_source], numbers),
        icons=icons,
    )
