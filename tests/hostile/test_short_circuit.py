"""DatabaseUnavailableMiddleware: one OperationalError in one request marks the database down for the whole
process for 3 s. psycopg (and Django) class many per-statement errors as OperationalError: a statement
cancelled by statement_timeout (QueryCanceled), a deadlock (DeadlockDetected), a serialization failure,
ProgramLimitExceeded ("statement too complex"), and the client-side read timeout of config/postgresql. None
of them means the database is out, yet each takes every uncached page, the admin included, down for 3 s."""

import pytest
from django.db import OperationalError

from comparisons import views as comparison_views


def _slow_search(*args, **kwargs):
    raise OperationalError("canceling statement due to statement timeout")


@pytest.mark.django_db
def test_one_cancelled_statement_does_not_take_the_whole_process_down(monkeypatch, editor_client):
    from django.test import Client

    client = Client()
    original = comparison_views.FaqEntry.objects.published

    with monkeypatch.context() as patch:
        patch.setattr(comparison_views.FaqEntry.objects, "published", _slow_search)
        assert client.get("/faq/?q=slow").status_code == 503  # that one request: fair enough

    assert comparison_views.FaqEntry.objects.published == original
    # The database answers; only one statement of one request was slow. Other pages, and staff, should work.
    assert client.get("/treatments/").status_code == 200
    assert editor_client.get("/admin/").status_code in (200, 302)
