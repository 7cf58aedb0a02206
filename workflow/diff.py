"""What changed between two versions of an item, in words a reviewer can check field by field."""

import difflib
import re
from dataclasses import dataclass, field

from django.utils.html import escape, format_html_join
from django.utils.safestring import mark_safe

from .models import parts_of

EMPTY = "(empty)"
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class FieldChange:
    label: str
    before: str
    after: str

    @property
    def marked_up(self):
        """The new text with removed words struck through and added words marked (for long text)."""
        old, new = _WORDS.findall(self.before), _WORDS.findall(self.after)
        pieces = []
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
            if op in ("replace", "delete"):
                pieces.append(f"<del>{escape(''.join(old[a1:a2]))}</del>")
            if op in ("replace", "insert"):
                pieces.append(f"<ins>{escape(''.join(new[b1:b2]))}</ins>")
            if op == "equal":
                pieces.append(escape("".join(old[a1:a2])))
        return mark_safe("".join(pieces))  # every piece is escaped above

    @property
    def is_long(self):
        return max(len(self.before), len(self.after)) > 60


@dataclass
class Section:
    title: str
    kind: str  # "changed", "added" or "removed"
    changes: list = field(default_factory=list)


def _display(model, name, value):
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return str(value)
    if value in (None, "", []):
        return EMPTY
    if model_field.many_to_many:
        objects = model_field.related_model._default_manager.in_bulk(value)
        return "; ".join(str(objects.get(pk, f"deleted #{pk}")) for pk in sorted(value))
    if model_field.is_relation:
        related = model_field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"deleted #{value}"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return str(value)


def _label(model, name):
    try:
        return str(model._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


def _field_changes(model, before, after, skip=()):
    changes = []
    for name in dict.fromkeys([*before, *after]):
        if name in skip:
            continue
        old, new = before.get(name), after.get(name)
        if isinstance(old, list) and isinstance(new, list):
            old, new = sorted(old), sorted(new)
        if old != new:
            changes.append(FieldChange(_label(model, name), _display(model, name, old), _display(model, name, new)))
    return changes


def _row_name(model, entry):
    fields = entry["fields"]
    for name in ("name", "heading", "question", "title"):
        if fields.get(name):
            return str(fields[name])
    return _display(model, next(iter(fields)), next(iter(fields.values()))) if fields else str(entry["pk"])


def describe_changes(model, before, after):
    """Sections of changes from snapshot `before` to `after` (either may be None: added or deleted)."""
    if after is None:
        return [Section(f"The whole {model._meta.verbose_name} is deleted", "removed")]
    before = before or {"item": {"fields": {}}, "parts": {}}
    sections = []
    item_changes = _field_changes(model, before["item"]["fields"], after["item"]["fields"])
    if item_changes:
        sections.append(Section(str(model._meta.verbose_name).capitalize(), "changed", item_changes))
    for name, part, foreign_key in parts_of(model):
        old = {row["pk"]: row for row in before["parts"].get(name, [])}
        new = {row["pk"]: row for row in after["parts"].get(name, [])}
        noun = str(part._meta.verbose_name).capitalize()
        for pk, row in new.items():
            if pk not in old:
                added = _field_changes(part, {}, row["fields"], skip={foreign_key})
                sections.append(Section(f"{noun} added: {_row_name(part, row)}", "added", added))
            else:
                changed = _field_changes(part, old[pk]["fields"], row["fields"], skip={foreign_key})
                if changed:
                    sections.append(Section(f"{noun} changed: {_row_name(part, row)}", "changed", changed))
        for pk, row in old.items():
            if pk not in new:
                sections.append(Section(f"{noun} removed: {_row_name(part, row)}", "removed"))
    return sections


def changed_names(model, before, after):
    """Short names of what changed, for a one-line message: 'summary, side effect "Bruising"'."""
    names = []
    for section in describe_changes(model, before, after):
        if section.kind == "changed" and section.title == str(model._meta.verbose_name).capitalize():
            names += [change.label.lower() for change in section.changes]
        else:
            names.append(section.title[0].lower() + section.title[1:])
    return names


def as_list_html(names):
    return format_html_join(", ", "{}", ((name,) for name in names))
