"""Create the 'Content editors' group: full rights over patient content, none over users."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_APPS = ["treatments", "comparisons"]
GROUP_NAME = "Content editors"


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations run; create them now so
    # the group can be given them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    group.permissions.set(Permission.objects.filter(content_type__app_label__in=CONTENT_APPS))


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("treatments", "0001_initial"),
        ("comparisons", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
