"""`content_changed` is sent once a change to any content under the workflow has been committed.

Pages draw on many models (a side effect shows on the comparison, the treatment page and more), so a
receiver such as the page cache treats any change as "everything may have changed". Sent after commit, so
a rolled-back save (a refused edit, a preview) never reaches it.

The same change also moves `ContentGeneration` on, once per transaction, just after it commits (and never
for a rolled-back one), so work kept under the old number is not taken for the new content. After commit, not
inside the transaction: the one row would otherwise be locked from a transaction's first save to its end, and
two editors' saves that lock it and their items in opposite orders deadlock (tests/workflow/test_races.py)."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import Signal, receiver

from .kept import advance_generation
from .models import ContentGeneration, Revision, content_models

content_changed = Signal()


def is_content(model):
    return model in content_models()


def _advance_generation():  # one function object, so a transaction's pending callbacks can be searched for it
    advance_generation(announce_again=lambda: content_changed.send(sender=ContentGeneration))


def advance_generation_after_commit():
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(func is _advance_generation for _, func, _ in connection.run_on_commit):
        return  # already due when this transaction commits (a rolled-back savepoint takes its callbacks with it)
    transaction.on_commit(_advance_generation, robust=True)


def announce(model):
    advance_generation_after_commit()
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
    advance_generation_after_commit()  # pages show change notes ("Recent changes")
