"""Forms of the staff workflow: the version check on every content form, and the reviewer's decisions."""

import datetime

from django import forms
from django.utils import timezone

from .diff import changed_names
from .models import Revision


class VersionCheckedForm(forms.ModelForm):
    """Carries the version the form was opened at, and refuses to save over a newer one.

    Admin builds the form on POST from the item as it is now (locked for the save, see ContentAdmin), so
    comparing the submitted version with the instance's is the whole check; the database's conditional
    UPDATE in `Versioned.claim_next_version` backs it up."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = self.instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None:
            return cleaned
        submitted = cleaned.get("version")
        if submitted is None:
            raise forms.ValidationError(
                "This form arrived without its version number, so we cannot tell whether someone else has "
                "changed this since you opened it. Nothing was saved. Reload the page and make your edit again.",
                code="no_version",
            )
        if submitted != self.instance.version:
            raise forms.ValidationError(stale_message(self.instance, submitted), code="stale")
        return cleaned


def stale_message(item, submitted):
    from .moderation import latest_version, snapshot  # noqa: PLC0415 (moderation imports this module's neighbours)

    opened = latest_version(item, submitted)
    latest = Revision.objects.for_item(item).first()
    names = changed_names(type(item), opened.snapshot, snapshot(item)) if opened is not None else []
    when = f" at {timezone.localtime(latest.created_at):%H:%M}" if latest else ""
    who = f" ({latest.created_by.get_username()})" if latest and latest.created_by else ""
    what = ", ".join(names) if names else "we could not tell which parts (see the item's versions)"
    return (
        f"Someone else{who} saved this {item._meta.verbose_name} '{item}'{when} after you opened it. "
        f"What changed: {what}. Nothing of yours was saved, and your edits are still in the form below. "
        "Copy them, reload the page and apply them again."
    )


def _next_year():
    return timezone.localdate() + datetime.timedelta(days=365)


class ReviewerSignOff(forms.Form):
    """What a reviewer writes when content goes live: the public note and the review record."""

    change_note = forms.CharField(
        label="What changed, for patients",
        max_length=300,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="One plain sentence shown on the page and on the site's list of changes, for example "
        "'Added how often redness lasts more than a day'.",
    )
    reviewed_by = forms.CharField(
        label="Reviewed by",
        max_length=200,
        widget=forms.TextInput(attrs={"size": 60}),
        help_text="Your name and role as patients will see it, for example 'Dr A Patel, dermatologist'.",
    )
    next_review_due = forms.DateField(
        label="Next review due",
        initial=_next_year,
        help_text="Usually 12 months from today.",
    )

    def __init__(self, *args, reviewed=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not reviewed:  # FAQ answers, sources and concerns carry no review dates of their own
            del self.fields["reviewed_by"], self.fields["next_review_due"]

    def clean_next_review_due(self):
        due = self.cleaned_data["next_review_due"]
        if due < timezone.localdate():
            raise forms.ValidationError("The next review cannot be in the past.")
        return due


class SendBack(forms.Form):
    comment = forms.CharField(
        label="What needs to change",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Staff only: the editor sees this on the item's page.",
    )


class TakeDown(forms.Form):
    change_note = forms.CharField(
        label="What was removed, for patients",
        max_length=300,
        widget=forms.TextInput(attrs={"size": 80}),
        help_text="One plain sentence for the site's list of changes, for example 'Removed the page on X while "
        "we check a new study'.",
    )


class Restore(forms.Form):
    revision = forms.ModelChoiceField(queryset=Revision.objects.none(), widget=forms.HiddenInput)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, item, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["revision"].queryset = Revision.objects.for_item(item).restorable()
