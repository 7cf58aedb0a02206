"""Roles for the staff content workflow (issue 5).

The permissions live on a table-less model here, not on the content models, so that
'Content editors' keep every treatments/comparisons permission (edit, add, delete, history)
while publishing and marking content reviewed stays with 'Clinical reviewers'."""

from django.db import models


class ContentWorkflow(models.Model):
    """No table: only a home for the workflow permissions."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("publish_content", "Can publish content, take it down and mark it reviewed"),
        ]

    def __str__(self):
        return "Content workflow"


PUBLISH_PERMISSION = "workflow.publish_content"
