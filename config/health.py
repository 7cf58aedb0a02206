"""GET /healthz: 200 {"status": "ok"} when the database answers SELECT 1, 503 when it does not.

For load balancers and uptime checks: exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), never
cached, no session or template work.
"""

import logging

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)


@never_cache
@require_safe
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.error("health check failed: database unavailable", exc_info=exc)
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
