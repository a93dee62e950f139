"""Study pages: the card flow with and without HTMX, per-user isolation, statistics and settings pages."""

import uuid

import pytest
from django.urls import reverse

from quiz.study.models import StudyCard, StudyReview
from quiz.study.services.study import card_review, study_settings_get

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def answer(client, card, rating, *, review_id=None, htmx=True):
    data = {"card_id": card.pk, "rating": rating, "review_id": review_id or uuid.uuid4(), "duration_ms": 4200}
    return client.post(reverse("quiz:study_review"), data, headers=HTMX if htmx else {})


def test_study_needs_a_login(client):
    assert client.get(reverse("quiz:study")).status_code == 302


def test_study_page_shows_the_first_card_with_hidden_answer_counters_and_intervals(user_client, deck_cards):
    page = user_client.get(reverse("quiz:study")).content.decode()
    assert "Question 0?" in page and 'id="study-answer" class="study-answer" hidden' in page
    assert 'title="New">6<' in page and 'title="Learning">0<' in page
    assert '<span class="interval">1m</span><span class="label">Again</span>' in page
    assert "js/study.js" in page and "Try the live demo" in page  # card 0 links a demo


def test_show_answer_without_javascript_reveals_the_answer(user_client, deck_cards):
    page = user_client.get(reverse("quiz:study"), {"show": deck_cards[0].pk}).content.decode()
    assert 'class="study-answer" hidden' not in page and "<strong>0</strong>" in page


def test_answering_with_htmx_returns_the_next_card_partial(user_client, user, deck_cards):
    response = answer(user_client, deck_cards[0], 3)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body and "Question 2?" in body
    assert 'title="New">5<' in body and 'title="Learning">1<' in body
    review = StudyReview.objects.get(user=user)
    assert review.duration_ms == 4200 and f'name="review_id" value="{review.review_id}"' in body  # undo target


def test_answering_without_htmx_redirects_back_to_the_deck(user_client, deck_cards):
    response = user_client.post(reverse("quiz:study_review") + "?topic=topic-1",
                                {"card_id": deck_cards[1].pk, "rating": 3, "review_id": uuid.uuid4()})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == reverse("quiz:study") + "?topic=topic-1"


def test_a_double_clicked_answer_counts_once(user_client, user, deck_cards):
    review_id = uuid.uuid4()
    answer(user_client, deck_cards[0], 3, review_id=review_id)
    answer(user_client, deck_cards[0], 3, review_id=review_id)
    assert StudyReview.objects.filter(user=user).count() == 1


def test_undo_shows_the_same_card_again_and_restores_it(user_client, user, deck_cards):
    answer(user_client, deck_cards[0], 4)
    last = StudyReview.objects.get(user=user)
    body = user_client.post(reverse("quiz:study_undo"), {"review_id": last.review_id}, headers=HTMX).content.decode()
    assert "Undid your last answer (Easy)" in body and "Question 0?" in body
    assert StudyCard.objects.get(user=user, card=deck_cards[0]).state == StudyCard.State.NEW


def test_bad_answers_are_reported_not_crashing(user_client, deck_cards):
    body = answer(user_client, deck_cards[0], 7).content.decode()
    assert "Rating must be 1 (Again)" in body


def test_suspend_and_bury_buttons_move_on_and_the_suspended_page_can_restore(user_client, user, deck_cards):
    url = reverse("quiz:study_card_action", args=[deck_cards[0].pk, "suspend"])
    assert "Question 2?" in user_client.post(url, headers=HTMX).content.decode()
    page = user_client.get(reverse("quiz:study_suspended")).content.decode()
    assert "Question 0?" in page and "Unsuspend" in page
    back = user_client.post(reverse("quiz:study_card_action", args=[deck_cards[0].pk, "unsuspend"]),
                            {"next": reverse("quiz:study_suspended")})  # fmt: skip
    assert back.status_code == 302 and not StudyCard.objects.get(user=user, card=deck_cards[0]).suspended
    assert user_client.post(reverse("quiz:study_card_action", args=[deck_cards[0].pk, "explode"])).status_code == 404


@pytest.mark.parametrize("action", ["suspend", "bury"])
def test_undo_right_after_suspend_or_bury_brings_the_card_back(user_client, user, deck_cards, action):
    answer(user_client, deck_cards[0], 3)  # an earlier answer: U must not take that back now
    card = deck_cards[1]
    body = user_client.post(reverse("quiz:study_card_action", args=[card.pk, action]), headers=HTMX).content.decode()
    undo_url = reverse("quiz:study_card_action", args=[card.pk, f"un{action}"])
    assert f'action="{undo_url}?' in body and f"Undo {action}" in body and 'data-key="u"' in body
    assert reverse("quiz:study_undo") not in body  # one U: it takes back the latest thing done
    back = user_client.post(undo_url, {"undo": "1"}, headers=HTMX).content.decode()
    assert f'data-card-id="{card.pk}"' in back and "the card is back" in back
    row = StudyCard.objects.get(user=user, card=card)
    assert not row.suspended and row.buried_until is None
    assert StudyReview.objects.filter(user=user, undone_at__isnull=True).count() == 1  # the answer stands


def test_nothing_due_says_so_and_offers_to_study_ahead_or_learn_more(user_client, user, deck_cards):
    settings = study_settings_get(user=user)
    settings.new_per_day = 1
    settings.save()
    answer(user_client, deck_cards[0], 4)
    page = user_client.get(reverse("quiz:study")).content.decode()
    assert "Nothing is due in this deck right now" in page and "The next card is due" in page
    assert "Study ahead" in page and "Learn 10 more new cards" in page
    body = user_client.post(reverse("quiz:study_more_new"), headers=HTMX).content.decode()
    assert "Question 2?" in body


def test_one_user_never_sees_or_changes_another_users_state(client, user, other_user, deck_cards):
    mine = card_review(user=user, card_id=deck_cards[0].pk, rating=4, review_id=uuid.uuid4())
    client.force_login(other_user)
    page = client.get(reverse("quiz:study")).content.decode()
    assert 'title="New">6<' in page and str(mine.review.review_id) not in page
    response = client.post(reverse("quiz:study_undo"), {"review_id": mine.review.review_id}, headers=HTMX)
    assert "No such card" in response.content.decode()
    client.post(reverse("quiz:study_card_action", args=[deck_cards[0].pk, "suspend"]), headers=HTMX)
    assert not StudyCard.objects.get(user=user, card=deck_cards[0]).suspended
    assert StudyReview.objects.get(pk=mine.review.pk).undone_at is None
    assert "<strong>0</strong> reviews this year" in client.get(reverse("quiz:study_stats")).content.decode()
    stats = client.get("/api/study/stats").json()
    assert stats["total_reviews"] == 0


def test_stats_page_has_deliberate_empty_states_and_svg_charts(user_client, deck_cards):
    page = user_client.get(reverse("quiz:study_stats")).content.decode()
    assert page.count("<svg") == 6 and "No reviews yet" in page and "Nothing scheduled yet" in page


def test_stats_page_after_some_reviews(user_client, user, deck_cards):
    for card in deck_cards[:3]:
        answer(user_client, card, 4)
    page = user_client.get(reverse("quiz:study_stats")).content.decode()
    assert "<strong>1</strong> day streak" in page and "<strong>3</strong> reviews today" in page
    assert "3 reviews</title>" in page


def test_settings_page_saves_steps_and_offers_the_optimizer(user_client, user):
    page = user_client.get(reverse("quiz:study_settings")).content.decode()
    assert 'value="1m 10m"' in page and "Fit, evaluate and suggest a retention" in page
    data = {"desired_retention": "0.85", "new_per_day": 15, "reviews_per_day": 150, "learning_steps": "30s 5m 1h",
            "relearning_steps": "10m", "day_start_hour": 5, "time_zone": "Europe/Paris", "leech_threshold": 8,
            "maximum_interval": 3650}  # fmt: skip
    assert user_client.post(reverse("quiz:study_settings"), data).status_code == 302
    settings = study_settings_get(user=user.__class__.objects.get(pk=user.pk))
    assert (settings.learning_steps, settings.time_zone, settings.desired_retention) == (
        [30, 300, 3600],
        "Europe/Paris",
        0.85,
    )
    bad = user_client.post(reverse("quiz:study_settings"), {**data, "learning_steps": "soon"}).content.decode()
    assert "Steps are durations" in bad


def test_home_and_nav_link_to_study(client):
    page = client.get(reverse("home")).content.decode()
    assert page.count(reverse("quiz:study")) >= 2
