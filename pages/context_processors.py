"""Template context every page needs: who publishes the site, who pays for it and its conflict of interest.

Set in settings (SITE_PUBLISHER, SITE_FUNDING, SITE_CONFLICTS, from the environment) and shown on About and in
the footer of every page, so the words live in one place."""

from django.conf import settings


def publisher(request):
    return {
        "site_publisher": settings.SITE_PUBLISHER,
        "site_funding": settings.SITE_FUNDING,
        "site_conflicts": settings.SITE_CONFLICTS,
    }
