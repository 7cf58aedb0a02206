from django.apps import AppConfig, apps
from django.db.models.signals import m2m_changed, post_delete, post_save

CONTENT_APPS = ("treatments", "comparisons")


def content_changed(sender, **kwargs):
    from config.cache import bump_content_generation

    bump_content_generation()


class TreatmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "treatments"

    def ready(self):
        # Any saved or deleted piece of content makes every cached public page stale: pages draw
        # on many models (a side effect shows on the comparison, the treatment page and more).
        for label in CONTENT_APPS:
            for model in apps.get_app_config(label).get_models():
                post_save.connect(content_changed, sender=model, dispatch_uid=f"bump-{model._meta.label}-save")
                post_delete.connect(content_changed, sender=model, dispatch_uid=f"bump-{model._meta.label}-delete")
        m2m_changed.connect(content_changed, dispatch_uid="bump-content-m2m")
