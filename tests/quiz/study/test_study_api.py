"""The study JSON API: next cards, idempotent answers, undo, card actions, stats; in the OpenAPI schema."""

import uuid

import pytest

from quiz.study.models import StudyCard, StudyReview

pytestmark = pytest.mark.django_db


def post(client, path, payload):
    return client.post(path, payload, content_type="application/json")


def test_next_lists_cards_with_the_interval_of_each_rating(user_client, deck_cards):
    data = user_client.get("/api/study/next", {"limit": 3, "topic": "topic-1"}).json()
    assert (data["new"], data["learning"], data["review"]) == (3, 0, 0)
    assert [c["slug"] for c in data["cards"]] == ["card-1", "card-3", "card-5"]
    assert [i["label"] for i in data["cards"][0]["intervals"][:3]] == ["1m", "6m", "10m"]


def test_a_review_resent_with_the_same_id_counts_once(user_client, user, deck_cards):
    payload = {"card_id": deck_cards[0].pk, "rating": 3, "review_id": str(uuid.uuid4()), "duration_ms": 3000}
    first = post(user_client, "/api/study/reviews", payload).json()
    again = post(user_client, "/api/study/reviews", {**payload, "rating": 1}).json()
    assert (first["duplicate"], again["duplicate"], again["rating"]) == (False, True, 3)
    assert first["state"] == "Learning" and first["interval"] == "10m"
    assert StudyReview.objects.filter(user=user).count() == 1


def test_invalid_reviews_are_rejected(user_client, deck_cards):
    payload = {"card_id": deck_cards[0].pk, "rating": 5, "review_id": str(uuid.uuid4())}
    assert post(user_client, "/api/study/reviews", payload).status_code == 422
    missing = post(user_client, "/api/study/reviews", {**payload, "rating": 3, "card_id": 999999})
    assert missing.status_code == 400 and missing.json()["detail"] == "No such card."


def test_undo_restores_and_is_idempotent_by_review_id(user_client, user, deck_cards):
    review_id = str(uuid.uuid4())
    post(user_client, "/api/study/reviews", {"card_id": deck_cards[0].pk, "rating": 4, "review_id": review_id})
    undone = post(user_client, "/api/study/undo", {"review_id": review_id}).json()
    assert undone["undone"] and StudyCard.objects.get(user=user).state == StudyCard.State.NEW
    assert post(user_client, "/api/study/undo", {"review_id": review_id}).status_code == 200
    assert post(user_client, "/api/study/undo", {}).status_code == 404


def test_card_actions_and_stats(user_client, deck_cards):
    assert post(user_client, f"/api/study/cards/{deck_cards[0].pk}/suspend", {}).json()["suspended"] is True
    assert post(user_client, f"/api/study/cards/{deck_cards[0].pk}/bury", {}).json()["buried_until"]
    assert post(user_client, f"/api/study/cards/{deck_cards[0].pk}/melt", {}).status_code == 422
    stats = user_client.get("/api/study/stats").json()
    assert stats["counts"]["suspended"] == 1 and stats["streak"] == 0 and len(stats["forecast"]) == 30


def test_another_user_cannot_see_or_undo_my_state(client, user, other_user, deck_cards):
    client.force_login(user)
    review_id = str(uuid.uuid4())
    post(client, "/api/study/reviews", {"card_id": deck_cards[0].pk, "rating": 4, "review_id": review_id})
    client.force_login(other_user)
    assert client.get("/api/study/next").json()["new"] == 6
    assert post(client, "/api/study/undo", {"review_id": review_id}).status_code == 400
    assert post(client, "/api/study/undo", {}).status_code == 404
    assert StudyReview.objects.get(review_id=review_id).undone_at is None


def test_the_api_needs_a_login(client, deck_cards):
    assert client.get("/api/study/next").status_code == 401


def test_study_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for path in ("/api/study/next", "/api/study/reviews", "/api/study/undo", "/api/study/stats",
                 "/api/study/cards/{card_id}/{action}"):  # fmt: skip
        assert path in paths


def test_next_and_answer_stay_within_their_query_budget(user_client, deck_cards, django_assert_max_num_queries):
    """The hot path of a study session (bench/study.py): a regression here shows as a slower study page."""
    user_client.get("/api/study/next")  # first call makes the settings row
    with django_assert_max_num_queries(5):  # session, user + settings, today's answers, the deck, the picked card
        card_id = user_client.get("/api/study/next").json()["cards"][0]["card_id"]
    payload = {"card_id": card_id, "rating": 3, "review_id": str(uuid.uuid4())}
    with django_assert_max_num_queries(8):  # session, user + settings, lock, card exists, 2 inserts, savepoint+release
        assert post(user_client, "/api/study/reviews", payload).json()["duplicate"] is False
