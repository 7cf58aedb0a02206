"""Staff preview at the page's own address: `/treatments/prp/?preview=treatments.treatment:3`.

For a signed-in staff member the request runs inside a transaction that is always rolled back. In it the
item is shown as patients would see it once approved (published, with its change awaiting review applied,
see workflow/moderation.py), and the page's own view renders it unchanged. Patients' requests never see
it: the transaction is never committed. The banner comes from the base template (`request.preview`)."""

from dataclasses import dataclass

from django.apps import apps
from django.db import transaction
from django.utils.cache import add_never_cache_headers

from .models import Publishable

PARAMETER = "preview"


@dataclass(frozen=True)
class Preview:
    item: Publishable
    was_published: bool
    pending: object  # the change awaiting review that is shown, or None

    @property
    def summary(self):
        if self.pending is not None and self.pending.action == "delete":
            return "Deleting this is awaiting review: once a reviewer approves, patients will no longer see it."
        if self.pending is not None and not self.pending.applies:
            return "The change awaiting review no longer fits the live content, so the approved version is shown."
        if self.pending is not None:
            return "A change awaiting review is shown. Patients still see the approved version."
        if self.was_published:
            return "This is what patients see now."
        return "This is a draft. Patients cannot see this page until a reviewer publishes it."


def preview_token(obj):
    return f"{obj._meta.label_lower}:{obj.pk}"


def preview_url(obj):
    """The item's page with the preview switched on, or None if it has no page of its own."""
    if obj.pk is None or not hasattr(obj, "get_absolute_url"):
        return None
    url = obj.get_absolute_url()
    path, _, fragment = url.partition("#")
    joiner = "&" if "?" in path else "?"
    return f"{path}{joiner}{PARAMETER}={preview_token(obj)}" + (f"#{fragment}" if fragment else "")


def find_item(token):
    label, _, pk = (token or "").partition(":")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    if not issubclass(model, Publishable) or not (pk.isascii() and pk.isdigit()):
        return None
    return model._default_manager.filter(pk=int(pk)).first()


class PreviewMiddleware:
    """Place after AuthenticationMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if PARAMETER not in request.GET:
            return self.get_response(request)
        user = getattr(request, "user", None)
        token = request.GET[PARAMETER]
        request.GET = request.GET.copy()
        del request.GET[PARAMETER]  # the page's own view never sees the parameter
        if user is None or not (user.is_active and user.is_staff):
            return self.get_response(request)  # patients get the page as it is
        item = find_item(token)
        if item is None:
            return self.get_response(request)
        from .moderation import show_as_approved  # noqa: PLC0415 (moderation imports the admin forms)

        with transaction.atomic():
            pending = show_as_approved(item)
            request.preview = Preview(item=item, was_published=item.is_published, pending=pending)
            response = self.get_response(request)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            transaction.set_rollback(True)
        add_never_cache_headers(response)
        response["X-Robots-Tag"] = "noindex, nofollow"
        return response
