"""The 404 and 500 pages: the site's layout, a main landmark, a way back home; the 500 needs no database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path

from quizsite.urls import urlpatterns as site_urlpatterns

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a view that fails")


urlpatterns = [path("boom/", boom), *site_urlpatterns]


def test_404_page_has_the_layout_a_main_landmark_and_a_way_home(client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<main id="main"' in page and "<h1>Page not found</h1>" in page
    assert 'class="skip-link"' in page and 'aria-label="Main"' in page and 'href="/">Go to the home page</a>' in page


@pytest.mark.urls("tests.test_error_pages")
def test_500_page_renders_without_the_database_or_request_context(client, settings):
    settings.DEBUG = False
    client.raise_request_exception = False
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<main id="main"' in page and "Something went wrong" in page
    assert 'href="/">Go to the home page</a>' in page and "css/site.css" in page
    assert not queries.captured_queries  # no session, user or message lookup in the error page
