"""The staff content workflow in admin.

A content model's admin subclasses `ContentAdmin`. Then:
* an edit to a draft is saved at once; an edit to published content (the item, any inline row, a deletion,
  a restore) becomes a change awaiting review, and patients keep seeing the approved version;
* every save is checked against the version the form was opened at, under a row lock, so of several saves
  from the same version exactly one is accepted and the others are told what changed;
* status and review fields are never form fields: publishing, taking down and approving are reviewer
  actions with their own pages, which check the publish permission;
* the change page shows the change awaiting review (in the form, so editors build on it), a preview link
  at the page's own address, readability scores and the item's versions, each restorable.
Clinical reviewers decide on changes in "Changes awaiting review" (`RevisionAdmin`)."""

from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from . import moderation
from .diff import describe_changes
from .forms import Restore, ReviewerSignOff, SendBack, TakeDown, VersionCheckedForm
from .models import (
    PUBLISH_PERMISSION,
    REVIEW_FIELDS,
    Publishable,
    Reviewed,
    Revision,
    RevisionAction,
    RevisionState,
    StaleVersion,
    Status,
    content_models,
    item_of,
)
from .preview import preview_url
from .readability import render_admin_report
from .review import DUE_SOON_DAYS, due_soon, overdue

WORKFLOW_FIELDS = ("status", *REVIEW_FIELDS)


def can_publish(user):
    return user.is_active and user.has_perm(PUBLISH_PERMISSION)


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


class ReviewDueFilter(admin.SimpleListFilter):
    title = "review due"
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("overdue", "Overdue"), ("soon", f"Due within {DUE_SOON_DAYS} days"), ("later", "Later")]

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


@dataclass
class SaveInProgress:
    """What ContentAdmin knows about the save it is carrying out (kept on the request)."""

    item: object
    moderated: bool
    before: dict
    resubmitting: bool = False  # the change was sent back: saving it, even unchanged, sends it for review again
    after: dict | None = None

    @property
    def changed(self):
        return self.after is not None and (self.after != self.before or self.resubmitting)


def plausible_id(value):
    """Could `value` be a row id? (Anything else makes the database raise, not the form.)"""
    return str(value).isascii() and str(value).isdigit() and int(value) < 2**63


class IdsOnly:
    """Django's autocomplete widgets look up the submitted values while drawing a form with errors, and
    answer 500 to a value that cannot be an id; leave such values out (the field reports them)."""

    def optgroups(self, name, value, attr=None):
        return super().optgroups(name, [v for v in value if plausible_id(v)], attr)


class SafeAutocompleteSelect(IdsOnly, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(IdsOnly, AutocompleteSelectMultiple):
    pass


class PlausibleIdChoice(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not plausible_id(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class PlausibleIdsChoice(forms.ModelMultipleChoiceField):
    def clean(self, value):
        for pk in value or []:
            if pk not in self.empty_values and not plausible_id(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super().clean(value)


SAFER = {
    AutocompleteSelectMultiple: SafeAutocompleteSelectMultiple,
    AutocompleteSelect: SafeAutocompleteSelect,
    forms.ModelMultipleChoiceField: PlausibleIdsChoice,
    forms.ModelChoiceField: PlausibleIdChoice,
}


def with_plausible_ids(form_class):
    """Make the relation fields of `form_class` refuse values that cannot be ids with a form error, and
    their autocomplete widgets ignore them (in place; admin builds a new form class per request)."""
    for field in form_class.base_fields.values():
        inner = getattr(field.widget, "widget", field.widget)  # admin wraps it to add the "+" links
        for thing in (field, inner):
            if type(thing) in SAFER:
                thing.__class__ = SAFER[type(thing)]
    return form_class


class ContentAdmin(SimpleHistoryAdmin):
    form = VersionCheckedForm
    change_form_template = "admin/workflow/change_form.html"

    # --- fields ---

    @admin.display(description="Readability")
    def readability(self, obj):
        if obj is None or obj.pk is None:
            return "Shown after the first save."
        return render_admin_report(obj)

    @admin.display(description="Preview")
    def preview_link(self, obj):
        url = preview_url(obj) if obj is not None else None
        if url is None:
            return "Save first, then preview it here."
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">Preview this page as patients will see it once approved</a>',
            url,
        )

    def extra_readonly(self):
        return ["preview_link", "readability"] if hasattr(self.model, "get_absolute_url") else ["readability"]

    def get_exclude(self, request, obj=None):
        return [*(super().get_exclude(request, obj) or []), "version"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        return with_plausible_ids(super().get_form(request, obj, change, **kwargs))

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            with_plausible_ids(formset.form)
            yield formset, inline

    def get_readonly_fields(self, request, obj=None):
        # Publishing and review are reviewer actions with their own pages, never form fields.
        workflow = [name for name in WORKFLOW_FIELDS if hasattr(self.model, name) or self._is_field(name)]
        return [*super().get_readonly_fields(request, obj), *workflow, *self.extra_readonly()]

    def _is_field(self, name):
        return name in {f.name for f in self.model._meta.get_fields()}

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        if self.fieldsets:  # declared fieldsets list neither the hidden version nor the workflow's read-only fields
            name, options = fieldsets[0]
            fieldsets[0] = (name, {**options, "fields": [*options["fields"], "version"]})
            fieldsets.append(("Check before it goes live", {"fields": self.extra_readonly()}))
        return fieldsets

    # --- saving ---

    def save_model(self, request, obj, form, change):
        if not change:
            obj.status = Status.DRAFT
            if isinstance(obj, Reviewed):
                obj.last_reviewed = obj.next_review_due = timezone.localdate()
                obj.reviewed_by = ""  # shown as "Not yet checked by a clinician" until a reviewer signs off
        obj._history_user = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance._history_user = request.user
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        saving = getattr(request, "workflow_save", None)
        if saving is not None:
            saving.after = moderation.snapshot(moderation.refreshed(form.instance))
        else:
            moderation.record_new(form.instance, user=request.user)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        item = self._item(object_id)
        if item is None:  # adding, or an id that does not exist: admin's own handling
            return super().changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and "_saveasnew" in request.POST:
            self.message_user(request, "'Save as new' is not available here: add a new item instead.", messages.ERROR)
            return redirect(request.path)
        if request.method == "POST":
            return self._save_change(request, item, object_id, form_url, extra_context)
        return self._rehearsed_form(request, item, object_id, form_url, extra_context)

    def _rehearsed_form(self, request, item, object_id, form_url, extra_context):
        """The change form with the change awaiting review in it, in a transaction that is never committed.
        On a stale POST, this is the refusal: the form's version check fails and the editor's input is kept."""
        with transaction.atomic():
            change = moderation.rehearse_working_copy(item)
            response = super().changeform_view(
                request, object_id, form_url, self._change_context(request, item, change, extra_context)
            )
            if hasattr(response, "render"):
                response.render()
            transaction.set_rollback(True)
        return response

    def _item(self, object_id):
        if object_id is None:
            return None
        try:
            return self.model._default_manager.filter(pk=unquote(object_id)).first()
        except (ValueError, TypeError):
            return None

    def _save_change(self, request, item, object_id, form_url, extra_context):
        submitted = request.POST.get("version", "")
        try:
            with transaction.atomic():
                item = self.model.locked(item.pk)  # concurrent saves of this item wait here, one at a time
                if item is None or submitted != str(item.version):
                    raise StaleVersion(submitted)  # refused below, after letting go of the lock
                moderation.record_baseline(item)
                rehearsal = transaction.savepoint()
                change = moderation.rehearse_working_copy(item)
                saving = SaveInProgress(
                    item=item,
                    moderated=item.is_published,
                    before=moderation.snapshot(moderation.refreshed(item)),
                    resubmitting=change is not None and change.state == RevisionState.SENT_BACK and change.applies,
                )
                request.workflow_save = saving
                response = super().changeform_view(
                    request, object_id, form_url, self._change_context(request, item, change, extra_context)
                )
                if saving.after is None or saving.moderated:
                    if hasattr(response, "render"):
                        response.render()
                    transaction.savepoint_rollback(rehearsal)  # patients keep the approved version
                else:
                    transaction.savepoint_commit(rehearsal)
                if saving.changed and saving.moderated:
                    moderation.propose(item, saving.after, user=request.user, expected_version=item.version)
                elif saving.changed:
                    moderation.record_draft_save(
                        moderation.refreshed(item), user=request.user, expected_version=item.version
                    )
                return response
        except StaleVersion:  # the form's own check says who saved what, and keeps the editor's input
            item = self._item(object_id)
            if item is None:
                return super().changeform_view(request, object_id, form_url, extra_context)
            return self._rehearsed_form(request, item, object_id, form_url, extra_context)

    def response_change(self, request, obj):
        saving = getattr(request, "workflow_save", None)
        if saving is None or not saving.moderated:
            return super().response_change(request, obj)
        if not saving.changed:
            self.message_user(request, "Nothing was changed, so there is nothing to review.", messages.INFO)
        else:
            self.message_user(
                request,
                f"Your change to '{obj}' is waiting for a clinical reviewer. Patients still see the approved version.",
                messages.SUCCESS,
            )
        if "_continue" in request.POST:
            return redirect(request.path)
        return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))

    def _change_context(self, request, item, change, extra_context):
        return {
            **(extra_context or {}),
            "workflow_item": item,
            "workflow_change": change,
            "workflow_can_publish": can_publish(request.user),
            "workflow_preview_url": preview_url(item),
            "workflow_urls": self._item_urls(item),
        }

    def _item_urls(self, item):
        name = f"admin:{self.opts.app_label}_{self.opts.model_name}"
        return {
            action: reverse(f"{name}_{action}", args=[item.pk])
            for action in ("versions", "publish", "take_down", "withdraw")
        }

    # --- deleting ---

    def log_deletion(self, request, obj, object_repr):
        if not obj.is_published:
            super().log_deletion(request, obj, object_repr)

    def delete_model(self, request, obj):
        if obj.is_published:
            moderation.request_deletion(obj, user=request.user)
            request.workflow_deletions = 1
            return
        moderation.record_draft_deletion(obj, user=request.user)
        obj._history_user = request.user
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        published = [obj for obj in queryset if obj.is_published]
        for obj in published:
            moderation.request_deletion(obj, user=request.user)
        request.workflow_deletions = len(published)
        drafts = queryset.exclude(pk__in=[obj.pk for obj in published])
        for obj in drafts:
            moderation.record_draft_deletion(obj, user=request.user)
        super().delete_queryset(request, drafts)

    def response_delete(self, request, obj_display, obj_id):
        if getattr(request, "workflow_deletions", 0):
            self.message_user(
                request,
                f"Deleting '{obj_display}' is waiting for a clinical reviewer. Patients still see it until then.",
                messages.SUCCESS,
            )
            return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        return super().response_delete(request, obj_display, obj_id)

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        waiting = getattr(request, "workflow_deletions", 0)
        if waiting and str(message).startswith("Successfully deleted"):  # the bulk delete action's message
            message = (
                f"{waiting} published item(s) will be deleted once a clinical reviewer approves; patients still "
                "see them. Drafts among those you chose were deleted."
            )
        return super().message_user(request, message, level, *args, **kwargs)

    # --- history: the audit log stays; restoring goes through versions, as a change to review ---

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if not (str(version_id).isascii() and str(version_id).isdigit()):
            raise Http404("There is no such version.")
        if request.method == "POST":
            raise PermissionDenied("Restore from the item's versions page: it restores the rows with it.")
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    # --- item pages: versions, publish, take down, withdraw ---

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/versions/", wrap(self.versions_view), name=f"{name}_versions"),
            path("<path:object_id>/publish/", wrap(self.publish_view), name=f"{name}_publish"),
            path("<path:object_id>/take-down/", wrap(self.take_down_view), name=f"{name}_take_down"),
            path("<path:object_id>/withdraw/", wrap(self.withdraw_view), name=f"{name}_withdraw"),
            *super().get_urls(),
        ]

    def _item_or_404(self, request, object_id, *, needs_change=True):
        item = self._item(object_id)
        if item is None:
            raise Http404("There is no such item.")
        allowed = self.has_change_permission(request, item) if needs_change else self.has_view_permission(request, item)
        if not allowed:
            raise PermissionDenied
        return item

    def _page(self, request, template, item, **context):
        return TemplateResponse(
            request,
            template,
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "item": item,
                "item_url": change_url(item),
                "title": context.pop("title"),
                **context,
            },
        )

    def versions_view(self, request, object_id):
        item = self._item_or_404(request, object_id, needs_change=False)
        if request.method == "POST":
            form = Restore(request.POST, item=item)
            if not self.has_change_permission(request, item):
                raise PermissionDenied
            if form.is_valid():
                try:
                    moderation.restore(
                        form.cleaned_data["revision"], user=request.user, expected_version=form.cleaned_data["version"]
                    )
                except moderation.ModerationError as error:
                    self.message_user(request, str(error), messages.ERROR)
                    return redirect(request.path)
                done = "is waiting for a clinical reviewer" if item.is_published else "is now the draft"
                self.message_user(request, f"The version you chose {done}.", messages.SUCCESS)
                return redirect(change_url(item))
            self.message_user(request, "That version could not be found for this item.", messages.ERROR)
            return redirect(request.path)
        versions = list(Revision.objects.for_item(item).select_related("created_by", "decided_by"))
        return self._page(
            request,
            "admin/workflow/versions.html",
            item,
            title=f"Versions of {item}",
            versions=versions,
            can_change=self.has_change_permission(request, item),
        )

    def _reviewer_decision(self, request, item, form, decide, done, **page):
        """A reviewer's page: the form, then `decide(cleaned_data)`; a refusal is shown on the form."""
        if not can_publish(request.user):
            raise PermissionDenied
        if request.method == "POST" and form.is_valid():
            try:
                decide(form.cleaned_data)
            except moderation.ModerationError as error:
                form.add_error(None, str(error))
            else:
                self.message_user(request, f"'{item}' {done}", messages.SUCCESS)
                return redirect(change_url(item))
        return self._page(request, "admin/workflow/decision.html", item, form=form, version=item.version, **page)

    def publish_view(self, request, object_id):
        item = self._item_or_404(request, object_id)
        form = ReviewerSignOff(
            request.POST or None,
            reviewed=isinstance(item, Reviewed),
            initial={"reviewed_by": moderation.describe_reviewer(request.user)},
        )
        opened_at = request.POST.get("version", "")

        def decide(data):
            moderation.publish(
                item,
                reviewer=request.user,
                change_note=data["change_note"],
                expected_version=int(opened_at) if opened_at.isdigit() else None,
                reviewer_line=data.get("reviewed_by", ""),
                next_review_due=data.get("next_review_due"),
            )

        return self._reviewer_decision(
            request,
            item,
            form,
            decide,
            "is published: patients can see it now.",
            title=f"Publish {item}",
            button="Publish now",
            preview=preview_url(item),
            explanation="Check the preview first. Publishing shows this to patients now and records you as its reviewer.",
        )

    def take_down_view(self, request, object_id):
        item = self._item_or_404(request, object_id)

        def decide(data):
            moderation.take_down(item, reviewer=request.user, change_note=data["change_note"])

        return self._reviewer_decision(
            request,
            item,
            TakeDown(request.POST or None),
            decide,
            "is taken down: patients no longer see it.",
            title=f"Take down {item}",
            button="Take down now",
            explanation="Patients stop seeing this at once. Any change awaiting review is withdrawn (it stays in "
            "the versions, so it can be restored).",
        )

    def withdraw_view(self, request, object_id):
        item = self._item_or_404(request, object_id)
        if request.method != "POST":
            return redirect(change_url(item))
        change_id = request.POST.get("change", "")
        try:
            moderation.withdraw(item, user=request.user, change_id=int(change_id) if change_id.isdecimal() else None)
        except moderation.ModerationError as error:
            self.message_user(request, str(error), messages.ERROR)
        else:
            self.message_user(request, "The change was withdrawn. It is kept in the versions.", messages.SUCCESS)
        return redirect(change_url(item))


class PartAdmin(admin.ModelAdmin):
    """Rows edited with an item (a side effect, a comparison point) are changed only on the item's own page,
    so every change to them is version-checked and reviewed with it. Here they can be found and read."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return ["edit_on_item_page", *super().get_readonly_fields(request, obj)]

    @admin.display(description="To change it")
    def edit_on_item_page(self, obj):
        owner = item_of(type(obj))
        if obj is None or owner is None:
            return "-"
        item = getattr(obj, owner[1])
        return format_html('<a href="{}">Edit it on the page of {}</a>', change_url(item), item)


class ReviewStateFilter(admin.SimpleListFilter):
    """Opens on what is awaiting review; every other state is one click away."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            (RevisionState.PENDING, "Awaiting review"),
            *[(s.value, s.label) for s in RevisionState if s not in (RevisionState.PENDING, RevisionState.BASELINE)],
            ("all", "All"),
        ]

    def choices(self, changelist):
        for value, label in self.lookup_choices:
            current = self.value() or RevisionState.PENDING
            yield {
                "selected": current == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        value = self.value() or RevisionState.PENDING
        if value == "all":
            return queryset
        if value not in RevisionState.values:
            return queryset.none()
        return queryset.filter(state=value)


class KindFilter(admin.SimpleListFilter):
    title = "kind of content"
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        items = [model for model in content_models() if issubclass(model, Publishable)]
        return [(model._meta.label_lower, str(model._meta.verbose_name).capitalize()) for model in items]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        app_label, _, model = self.value().partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    """Changes awaiting review: the reviewers' queue, each change with its difference from the live version."""

    list_display = ["item_name", "kind", "action", "created_by", "created_at", "state"]
    list_display_links = ["item_name"]
    list_filter = [ReviewStateFilter, "action", KindFilter]
    list_select_related = ["content_type", "created_by"]
    search_fields = ["object_repr", "change_note", "review_comment"]
    change_form_template = "admin/workflow/review.html"

    @admin.display(description="Item", ordering="object_repr")
    def item_name(self, revision):
        return revision.object_repr

    @admin.display(description="Kind of content")
    def kind(self, revision):
        return str(revision.content_type.model_class()._meta.verbose_name).capitalize()

    def get_queryset(self, request):
        return super().get_queryset(request).exclude(state=RevisionState.BASELINE)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def change_view(self, request, object_id, form_url="", extra_context=None):
        object_id = unquote(object_id)
        if not (object_id.isascii() and object_id.isdigit()):
            raise Http404("There is no such change.")
        revision = get_object_or_404(Revision.objects.select_related("content_type"), pk=int(object_id))
        model = revision.model
        item = revision.item()
        reviewer = can_publish(request.user)
        sign_off = ReviewerSignOff(
            request.POST if "_approve" in request.POST else None,
            reviewed=issubclass(model, Reviewed),
            initial={"reviewed_by": moderation.describe_reviewer(request.user)},
        )
        send_back = SendBack(request.POST if "_send_back" in request.POST else None)
        if request.method == "POST":
            if not reviewer:
                raise PermissionDenied
            chosen = sign_off if "_approve" in request.POST else send_back
            if chosen.is_valid():
                try:
                    if chosen is sign_off:
                        moderation.approve(
                            revision,
                            reviewer=request.user,
                            change_note=sign_off.cleaned_data["change_note"],
                            reviewer_line=sign_off.cleaned_data.get("reviewed_by", ""),
                            next_review_due=sign_off.cleaned_data.get("next_review_due"),
                        )
                        done = "approved: patients see it now"
                    else:
                        moderation.send_back(revision, reviewer=request.user, comment=send_back.cleaned_data["comment"])
                        done = "sent back to the editor with your comment"
                except moderation.ModerationError as error:
                    chosen.add_error(None, str(error))
                else:
                    self.message_user(request, f"The change to '{revision.object_repr}' was {done}.", messages.SUCCESS)
                    return redirect(reverse("admin:workflow_revision_changelist"))
        live = moderation.snapshot(item) if item is not None else None
        after = None if revision.action == RevisionAction.DELETE else revision.snapshot
        if revision.state == RevisionState.APPROVED:
            before = (revision.snapshot or {}).get(moderation.REPLACED)
        else:
            before = live
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": str(revision),
            "revision": revision,
            "item": item,
            "item_url": change_url(item) if item is not None else None,
            "preview": preview_url(item)
            if item is not None and revision.state == RevisionState.PENDING and revision.action != RevisionAction.DELETE
            else None,
            "sections": describe_changes(model, before, after),
            "decidable": reviewer and revision.state == RevisionState.PENDING,
            "reviewer": reviewer,
            "sign_off": sign_off,
            "send_back": send_back,
        }
        return TemplateResponse(request, self.change_form_template, context)
