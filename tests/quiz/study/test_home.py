"""The home page of a logged-in learner: counts, countdown, streak, weakest topics and one next step."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from fsrs import Rating

from quiz.study.services.home import learner_home
from quiz.study.services.study import card_review, study_settings_get

pytestmark = pytest.mark.django_db


def test_visitor_sees_the_introduction(client, deck_cards):
    page = client.get("/").content.decode()
    assert "Prepare your Transformer" in page
    assert "Due today" not in page


def test_after_sign_up_the_next_step_is_to_start_studying(client, deck_cards, password):
    response = client.post("/accounts/signup/", {"username": "lin", "password1": password, "password2": password},
                           follow=True)  # fmt: skip
    page = response.content.decode()
    assert "Welcome, lin: start here" in page
    assert ">Start studying</a>" in page
    assert "6 cards are ready" in page


def test_learner_home_counts_streak_countdown_and_weakest_topic(user_client, user, deck_cards):
    now = timezone.now()
    for days_ago in (2, 1, 0):
        for card, rating in ((deck_cards[0], Rating.Again), (deck_cards[1], Rating.Easy)):
            card_review(user=user, card_id=card.pk, rating=rating, review_id=uuid.uuid4(),
                        now=now - timedelta(days=days_ago))  # fmt: skip
    settings = study_settings_get(user=user)
    settings.interview_date = (now + timedelta(days=20)).date()
    settings.save()
    home = learner_home(user=user, now=now)
    assert home.streak == 3
    assert home.due >= 1  # the card failed a moment ago is back in learning
    assert home.new == 4
    assert home.days_to_interview in (19, 20, 21)
    assert [row.topic.slug for row in home.weakest] == ["topic-0", "topic-1"]  # card 0 (Again) is in topic-0
    assert home.next_step.label == "Continue studying"
    page = user_client.get("/").content.decode()
    assert "Welcome back, ada" in page and "Topic 0" in page and "3 days" in page


def test_with_nothing_left_today_the_next_step_is_a_mock_interview_or_a_demo(user, deck_cards):
    settings = study_settings_get(user=user)
    settings.new_per_day = 0
    settings.save()
    now = timezone.now()
    card_review(user=user, card_id=deck_cards[0].pk, rating=Rating.Easy, review_id=uuid.uuid4(), now=now)
    home = learner_home(user=user, now=now)
    assert home.next_step.label == "Try the Attention maps demo"  # card 0 illustrates the attention demo
    settings.interview_date = (now + timedelta(days=9)).date()
    settings.save()
    assert learner_home(user=user, now=now).next_step.label == "Practice a mock interview"
