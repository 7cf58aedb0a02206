from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflow"
    verbose_name = "Content workflow"

    def ready(self):
        from . import signals  # noqa: F401 (connects the receivers)
