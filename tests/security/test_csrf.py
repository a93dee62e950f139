"""CSRF on every state-changing endpoint: a logged-in POST without the token is refused (403) on every URL pattern
of the site, pages and API alike, and changes nothing."""

import pytest
from django.test import Client

from tests.security.site_urls import site_routes

pytestmark = pytest.mark.django_db


def test_every_post_without_a_csrf_token_is_refused_and_changes_nothing(owner_data, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    interview, quiz = owner_data.interview, owner_data.quiz
    refused = []
    for route in site_routes():
        url = route.url(owner_data.samples)
        if route.is_api:
            response = client.post(url, {"choice": 0}, content_type="application/json")
        else:
            response = client.post(url, {"text": "forged", "rev": 99, "q": 2, "rating": 3})
        # 405: an API path with no POST operation at all (django-ninja answers before any auth)
        assert response.status_code in (403, 405), f"POST {url} without a CSRF token: {response.status_code}"
        refused.append(response.status_code)
    assert refused.count(403) > 40
    interview.refresh_from_db()
    assert interview.status == interview.Status.IN_PROGRESS and interview.current_position == 0
    assert "forged" not in interview.answers.get(position=0).text
    assert not quiz.questions.exclude(chosen_index=None).exists()
    client.force_login(user)
    assert client.get("/").context["user"] == user  # the forged logout did not log the user out


def test_the_api_refuses_a_session_post_without_the_header_and_accepts_it_with(user, owner_data):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    url = f"/api/quiz/{owner_data.quiz.pk}/questions/1/answer"
    assert client.post(url, {"choice": 0}, content_type="application/json").status_code == 403
    client.get("/")  # sets the CSRF cookie, as the page load does
    token = client.cookies["csrftoken"].value
    ok = client.post(url, {"choice": 0}, content_type="application/json", headers={"X-CSRFToken": token})
    assert ok.status_code == 200
