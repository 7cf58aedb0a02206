"""The two staff roles, kept in step with the content models after every `migrate`.

'Content editors' may add, change, delete and view every model under the workflow (the publishable items
and the rows edited with them): their changes to published content wait for review. 'Clinical reviewers'
have the same, plus workflow.publish_content: approve, send back, publish and take down. Neither group has
any permission over users. A new content model joins both groups by subclassing Publishable; no list of
apps to keep in step."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

from .models import content_models

EDITORS = "Content editors"
REVIEWERS = "Clinical reviewers"


def content_permissions():
    types = ContentType.objects.get_for_models(*content_models()).values()
    return Permission.objects.filter(content_type__in=list(types))


def sync_roles(**kwargs):
    permissions = list(content_permissions())
    publish = Permission.objects.filter(content_type__app_label="workflow", codename="publish_content").first()
    editors, _ = Group.objects.get_or_create(name=EDITORS)
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    editors.permissions.add(*permissions)
    reviewers.permissions.add(*permissions, *([publish] if publish else []))
