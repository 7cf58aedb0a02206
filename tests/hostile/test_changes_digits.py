"""/changes/?page= validation added by the fix: str.isdigit() accepts characters int() refuses."""

import pytest


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["%C2%B2", "%C2%B9", "%E2%91%A0"])  # "²", "¹", "①": isdigit() True, int() fails
def test_changes_page_with_unicode_digit_is_404_not_500(client, page):
    client.raise_request_exception = False
    response = client.get(f"/changes/?page={page}")
    assert response.status_code in (301, 302, 404), response.status_code
