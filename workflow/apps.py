from django.apps import AppConfig


class WorkflowConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflow"
    verbose_name = "Content workflow"

    def ready(self):
        from django.db.models.signals import post_migrate

        from . import signals  # noqa: F401 (connects the receivers)
        from .roles import sync_roles

        post_migrate.connect(sync_roles, sender=self, dispatch_uid="workflow-sync-roles")
