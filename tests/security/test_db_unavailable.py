"""A database that cannot be reached gives a 503 page with Retry-After, not a 500 (pages, API and /healthz)."""

from contextlib import contextmanager

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_unreachable():
    """Point the connection at a database that refuses connections (a port nothing listens on, or a SQLite file
    in a folder that does not exist), then put it back."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/db.sqlite3"
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT="9")
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


def test_pages_answer_503_with_retry_after_while_the_database_is_down(client, settings):
    with database_unreachable():
        page = client.get("/bank/")
        api = client.get("/api/bank/cards")
        health = client.get("/healthz")
    assert page.status_code == 503 and page["Retry-After"] == str(settings.DB_UNAVAILABLE_RETRY_AFTER)
    assert "cannot reach its database" in page.content.decode()
    assert api.status_code == 503 and "Try again in" in api.json()["detail"]
    assert health.status_code == 503 and health.json()["ok"] is False
    assert client.get("/bank/").status_code == 200  # back as soon as the database is


def test_a_query_error_stays_a_500():
    """Only connection failures are a 503: a broken query is a bug and must not hide behind "back shortly"."""
    from django.db import OperationalError
    from django.test import RequestFactory

    from quizsite.db_unavailable import DatabaseUnavailableMiddleware

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    request = RequestFactory().get("/bank/")
    assert middleware.process_exception(request, OperationalError("no such table: quiz_nothing")) is None
