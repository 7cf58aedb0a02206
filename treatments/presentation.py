"""Small helpers for showing facts to patients: ranges in words and numbered citations."""

from dataclasses import dataclass


def span(low, high, unit, plural=None):
    """'3 to 4 sessions', '4 weeks', 'Up to 2 days'; None when the range is not known."""
    if low is None or high is None:
        return None
    plural = plural or f"{unit}s"
    if low == high:
        return f"{low} {unit if low == 1 else plural}"
    if low == 0:
        return f"Up to {high} {unit if high == 1 else plural}"
    return f"{low} to {high} {plural}"


@dataclass
class Citation:
    number: int
    key: str
    title: str


def numbered(references, numbers):
    """Citations for these sources, numbered as in the reference list."""
    return sorted(
        (Citation(numbers[ref.pk], ref.key, ref.title) for ref in references if ref.pk in numbers),
        key=lambda citation: citation.number,
    )
