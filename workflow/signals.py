"""`content_changed` is sent once a change to any content under the workflow has been committed.

Pages draw on many models (a side effect shows on the comparison, the treatment page and more), so a
receiver such as the page cache treats any change as "everything may have changed". Sent after commit, so
a rolled-back save (a refused edit, a preview) never reaches it.

The same change also moves `ContentGeneration` on, inside its own transaction: committed with the content,
rolled back with it, so work kept under the old number is never taken for the new content."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from .models import ContentGeneration, Revision, content_models

content_changed = Signal()


def is_content(model):
    return model in content_models()


def announce(model):
    ContentGeneration.advance()
    transaction.on_commit(lambda: content_changed.send(sender=model), robust=True)


@receiver(post_save, dispatch_uid="workflow-content-saved")
@receiver(post_delete, dispatch_uid="workflow-content-deleted")
def content_saved_or_deleted(sender, **kwargs):
    if is_content(sender):
        announce(sender)


@receiver(m2m_changed, dispatch_uid="workflow-content-links")
def content_links_changed(sender, instance, action, **kwargs):
    if action.startswith("post_") and is_content(type(instance)):
        announce(type(instance))


@receiver(post_save, sender=Revision, dispatch_uid="workflow-change-notes-saved")
@receiver(post_delete, sender=Revision, dispatch_uid="workflow-change-notes-deleted")
def change_note_saved_or_deleted(sender, **kwargs):
    ContentGeneration.advance()  # pages show change notes ("Recent changes")
