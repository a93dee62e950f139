"""Isolation matrix: every URL pattern of the site (from the URL resolver) x owner / another user / anonymous,
by GET and by POST. Nobody but the owner sees the owner's text, someone else's interview or quiz is a 404, nothing
answers 5xx, and after every foreign request the owner's rows are as they were."""

import pytest
from django.test import Client

from tests.security.conftest import MARKER
from tests.security.site_urls import PRIVATE, site_routes

pytestmark = pytest.mark.django_db
API_BODY = {"choice": 0, "number": 1}  # what the API's POST schemas on private rows need (the rest is ignored)


def owner_state(data) -> tuple:
    data.interview.refresh_from_db()
    answer = data.interview.answers.get(position=0)
    quiz_answers = list(data.quiz.questions.values_list("chosen_index", flat=True))
    return data.interview.status, data.interview.current_position, answer.text, quiz_answers


def test_every_url_keeps_the_owners_data_from_others_and_from_anonymous(owner_data, user, other_user):
    routes = site_routes()
    assert len(routes) > 50  # pages, API operations and the admin
    before = owner_state(owner_data)
    stranger, anonymous = Client(), Client()
    checked = 0
    for route in routes:
        url = route.url(owner_data.samples)
        stranger.force_login(other_user)  # again: one of the routes is the logout
        for who, client in (("other user", stranger), ("anonymous", anonymous)):
            for method in ("get", "post"):
                if method == "post" and route.is_api:  # a body that passes the schemas, so the lookup is reached
                    response = client.post(url, API_BODY, content_type="application/json")
                else:
                    response = getattr(client, method)(url)
                where = f"{method.upper()} {url} as {who}"
                assert response.status_code < 500, where
                assert MARKER not in response.content.decode(errors="replace"), where
                if PRIVATE & set(route.arguments):  # 405: a POST-only view refuses a GET before any lookup
                    allowed = (404, 405) if who == "other user" else (302, 401, 403, 404, 405)
                    assert response.status_code in allowed, where
                checked += 1
        assert owner_state(owner_data) == before, f"{route.route} changed the owner's rows"
    assert checked == len(routes) * 4


def test_every_url_answers_its_owner_without_a_server_error(owner_data, user):
    owner = Client(raise_request_exception=True)
    owner.force_login(user)
    for route in site_routes():
        url = route.url(owner_data.samples)
        assert owner.get(url).status_code < 500, url
    page = owner.get(owner_data.interview.get_absolute_url()).content.decode()
    assert MARKER in page  # the owner does see it: the marker test above is not vacuous
