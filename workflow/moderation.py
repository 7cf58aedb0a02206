"""Changes to published content wait for a clinical reviewer before patients see them."""

from .models import Status


def show_as_approved(item):
    """Inside a transaction that will be rolled back: make `item` look published. Returns the change
    awaiting review that was applied, or None."""
    type(item)._default_manager.filter(pk=item.pk).update(status=Status.PUBLISHED)
    return None
