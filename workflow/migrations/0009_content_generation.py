import time

from django.db import migrations, models


def create_the_row(apps, schema_editor):
    # A number of its own, as ContentGeneration.advance() gives: two databases never share one.
    apps.get_model("workflow", "ContentGeneration").objects.get_or_create(pk=1, defaults={"number": time.time_ns()})


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0008_condition_and_living_with"),
    ]

    operations = [
        migrations.CreateModel(
            name="ContentGeneration",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.BigIntegerField(default=0)),
            ],
            options={"default_permissions": ()},
        ),
        migrations.RunPython(create_the_row, migrations.RunPython.noop),
    ]
