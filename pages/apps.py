from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Site-wide pages and chrome: home, about, sources, robots.txt, sitemaps, structured data. No models."""

    name = "pages"
    verbose_name = "Site pages"

    def ready(self):
        from config.cache import bump_content_generation
        from workflow.signals import content_changed

        content_changed.connect(lambda **kwargs: bump_content_generation(), weak=False, dispatch_uid="page-cache")
