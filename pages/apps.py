from django.apps import AppConfig


class PagesConfig(AppConfig):
    """Site-wide pages and chrome: home, about, sources, robots.txt, sitemaps, structured data. No models."""

    name = "pages"
    verbose_name = "Site pages"
