"""A `next` address is followed only within the site: no open redirect through the study card actions."""

import pytest
from django.urls import reverse

from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("target", ["//evil.example/", "/\\evil.example/", "https://evil.example/"])
def test_a_next_address_off_the_site_is_not_followed(user_client, target):
    card = make_cards(1)[0]
    response = user_client.post(reverse("quiz:study_card_action", args=[card.pk, "suspend"]), {"next": target})
    assert response.status_code == 302
    assert "evil.example" not in response["Location"]


def test_a_next_address_on_the_site_is_followed(user_client):
    card = make_cards(1)[0]
    response = user_client.post(
        reverse("quiz:study_card_action", args=[card.pk, "suspend"]), {"next": "/study/suspended/"}
    )
    assert response.status_code == 302 and response["Location"] == "/study/suspended/"
