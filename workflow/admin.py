"""The staff content workflow in admin: history, no lost edits, roles, readability, preview links and
review-due filters. Content apps use `ContentAdmin` and `VersionedInlineMixin` from here."""

from django import forms
from django.contrib import admin
from django.forms.models import model_to_dict
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin
from simple_history.models import SIMPLE_HISTORY_REVERSE_ATTR_NAME
from simple_history.utils import get_history_manager_for_model

from .models import PUBLISH_PERMISSION, REVIEW_FIELDS, Status
from .preview import preview_url
from .readability import render_admin_report
from .review import DUE_SOON_DAYS, due_soon, overdue

# --- No lost edits ---------------------------------------------------------------------------------


def _comparable(value):
    if isinstance(value, list | tuple | set):
        return sorted(getattr(v, "pk", v) for v in value)
    return getattr(value, "pk", value)


class VersionCheckedForm(forms.ModelForm):
    """Carries the row's version in a hidden field and refuses to save over a newer version.

    Admin builds the form on POST from the row as it is now, so the user's starting point is the
    version they submitted; what changed since is read from the history record of that version."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = self.instance.version
            if getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None:
                # Restoring an old version from the history page: it replaces whatever is saved now.
                self.initial["version"] = (
                    type(self.instance)
                    ._default_manager.filter(pk=self.instance.pk)
                    .values_list("version", flat=True)
                    .first()
                )

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        submitted = cleaned.get("version")
        if instance.pk is None or submitted is None:
            return cleaned
        if not edited(self):  # an unchanged form is not saved (see ContentAdmin.save_model), so it overwrites nothing
            return cleaned
        model = type(instance)
        current = model._default_manager.filter(pk=instance.pk).first()
        if current is None or current.version == submitted:
            return cleaned
        raise forms.ValidationError(stale_message(current, submitted, self), code="stale")


def edited(form):
    return [name for name in form.changed_data if name != "version"]


def stale_message(current, submitted, form):
    model = type(current)
    names = [name for name in form.fields if name != "version" and name in {f.name for f in model._meta.get_fields()}]
    now = model_to_dict(current, fields=names)
    history = get_history_manager_for_model(model).filter(id=current.pk)
    opened = history.filter(version=submitted).order_by("-history_date").first()
    if opened is not None:
        before = model_to_dict(opened.instance, fields=names)
        before.update({name: now[name] for name in names if name not in before})  # many-to-many: not in history
        changed = [name for name in names if _comparable(before.get(name)) != _comparable(now.get(name))]
    else:  # no record of the version they opened: name what differs from their form
        changed = [name for name in form.changed_data if name in names]
    latest = history.order_by("-history_date").first()
    when = f" at {timezone.localtime(latest.history_date):%H:%M}" if latest else ""
    who = f" ({latest.history_user.get_username()})" if latest and latest.history_user else ""
    labels = (
        ", ".join(str(form.fields[name].label or name).lower() for name in changed)
        or "none on this form (a row further down was changed)"
    )
    return (
        f"Someone else{who} saved this {model._meta.verbose_name} '{current}'{when} after you opened it. "
        f"These fields changed: {labels}. Nothing of yours was saved. Copy your edits, reload the page "
        "and apply them again."
    )


class VersionedInlineMixin:
    form = VersionCheckedForm

    def get_exclude(self, request, obj=None):
        # The model field is not editable; the form's own hidden `version` field carries it.
        return [*(super().get_exclude(request, obj) or []), "version"]


# --- Review schedule -------------------------------------------------------------------------------


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [
            ("overdue", "Overdue"),
            ("soon", f"Due within {DUE_SOON_DAYS} days"),
            ("later", "Later"),
        ]

    def queryset(self, request, queryset):
        today = timezone.localdate()
        if self.value() == "overdue":
            return overdue(queryset, today)
        if self.value() == "soon":
            return due_soon(queryset, today, DUE_SOON_DAYS)
        if self.value() == "later":
            return queryset.exclude(pk__in=overdue(queryset, today)).exclude(
                pk__in=due_soon(queryset, today, DUE_SOON_DAYS)
            )
        return queryset


# --- The ModelAdmin mixin --------------------------------------------------------------------------


def can_publish(user):
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


class ContentAdmin(SimpleHistoryAdmin):
    """History (list, per-version view, revert), version check, roles, readability and preview."""

    form = VersionCheckedForm

    @admin.display(description="Readability")
    def readability(self, obj):
        if obj is None or obj.pk is None:
            return "Shown after the first save."
        return render_admin_report(obj)

    @admin.display(description="Preview")
    def preview_link(self, obj):
        url = preview_url(obj) if obj is not None else None
        if url is None:
            return (
                "Save first, then preview it here." if obj is None or obj.pk is None else "This has no page of its own."
            )
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview this page as patients will see it</a>', url
        )

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        return [*exclude, "version"] if self._has_field("version") else exclude

    def _has_field(self, name):
        return name in {f.name for f in self.model._meta.get_fields()}

    def extra_readonly(self):
        return ["preview_link", "readability"] if hasattr(self.model, "get_absolute_url") else ["readability"]

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj), *self.extra_readonly()]
        if not can_publish(request.user):
            readonly += [name for name in ("status", *REVIEW_FIELDS) if self._has_field(name)]
        return readonly

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if self.fieldsets and self._has_field(
            "version"
        ):  # declared fieldsets do not list the hidden version or the workflow fields
            fieldsets[0] = (fieldsets[0][0], {**fieldsets[0][1], "fields": [*fieldsets[0][1]["fields"], "version"]})
            fieldsets.append(("Check before publishing", {"fields": self.extra_readonly()}))
        return fieldsets

    def save_model(self, request, obj, form, change):
        if not change and not can_publish(request.user):
            obj.status = Status.DRAFT
            if self._has_field("last_reviewed"):
                today = timezone.localdate()
                obj.last_reviewed = obj.next_review_due = today
                obj.reviewed_by = f"Not reviewed yet (draft by {request.user.get_username()})"
        reverting = getattr(obj, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None) is not None
        if change and not reverting and not edited(form):
            return  # nothing changed here (perhaps only a row below): no new version, no history entry
        record_baseline(obj)
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            instance = inline_form.instance
            if instance.pk is not None and inline_form.has_changed():
                record_baseline(instance)
            instance._history_user = request.user
        super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        obj._history_user = request.user
        super().delete_model(request, obj)


def record_baseline(obj):
    """Content loaded from fixtures has no history yet (loading saves rows raw). Before its first edit
    in admin, record the row as it was, so that first edit can be seen and undone too."""
    if obj.pk is None or not hasattr(type(obj), "history"):
        return
    manager = get_history_manager_for_model(type(obj))
    if manager.filter(id=obj.pk).exists():
        return
    current = type(obj)._default_manager.filter(pk=obj.pk).first()
    if current is not None:
        manager.bulk_history_create([current], default_change_reason="As it was before its first edit in admin")
