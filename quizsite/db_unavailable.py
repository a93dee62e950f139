"""A 503 page with Retry-After when the database cannot be reached, instead of a 500 and a traceback in the log.

Only connection-level failures count (OperationalError / InterfaceError, raised when connecting or when the server
went away); an error in a query is a bug and stays a 500. The page is rendered without the request: the usual
context (user, messages) would need the database again.
"""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)
MESSAGE_DB_UNAVAILABLE = "The database cannot be reached just now. Try again in {seconds} s."


def database_unavailable_response(request, exc: Exception) -> HttpResponse:
    seconds = settings.DB_UNAVAILABLE_RETRY_AFTER
    log.error("database unavailable: %s: %s", type(exc).__name__, exc)
    if request.path.startswith("/api/") or request.path == "/healthz":
        response = JsonResponse({"ok": False, "detail": MESSAGE_DB_UNAVAILABLE.format(seconds=seconds)}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"retry_after": seconds}), status=503)
    response["Retry-After"] = str(seconds)
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError) and _is_connection_error(exception):
            return database_unavailable_response(request, exception)
        return None


def _is_connection_error(exc: Exception) -> bool:
    """True for "cannot connect / connection lost"; False for e.g. SQLite's "no such table" (also an
    OperationalError, but a bug or a missing migration)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        if isinstance(exc, InterfaceError):
            return True
        try:
            connection.ensure_connection()  # a reconnect that fails: the server is gone
            return not connection.is_usable()
        except Exception:
            return True
    text = str(exc).lower()
    return any(part in text for part in ("unable to open database", "disk i/o error", "database is locked"))
