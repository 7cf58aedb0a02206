"""Roles: a new 'Clinical reviewers' group gets every content permission editors have, plus
workflow.publish_content (publish, take down, mark reviewed). History needs no extra permission: the
history pages check the content model's own view/change permissions. Neither group has any auth permission,
so only superusers manage users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_APPS = ["treatments", "comparisons"]
REVIEWERS = "Clinical reviewers"


def create_roles(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content = list(Permission.objects.filter(content_type__app_label__in=CONTENT_APPS))
    reviewers, _ = Group.objects.get_or_create(name=REVIEWERS)
    publish = Permission.objects.get(content_type__app_label="workflow", codename="publish_content")
    reviewers.permissions.set([*content, publish])


def remove_reviewers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=REVIEWERS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("workflow", "0001_initial"),
        ("treatments", "0002_version"),
        ("comparisons", "0003_version"),
    ]

    operations = [migrations.RunPython(create_roles, remove_reviewers)]
