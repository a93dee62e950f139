"""Fixtures for the attack tests: a requests session logged in against the live server, with a CSRF token."""

import pytest
import requests
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client


def session_for(user, live_server) -> requests.Session:
    """A real HTTP session of `user` (session cookie + CSRF cookie and header), as a browser would hold."""
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    session = requests.Session()
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value, domain=host)
    session.cookies.set(settings.CSRF_COOKIE_NAME, token, domain=host)
    session.headers.update({"X-CSRFToken": token, "Referer": live_server.url + "/"})
    return session


@pytest.fixture
def api_session(user, live_server):
    return session_for(user, live_server)
