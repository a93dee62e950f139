"""Scheduling: the fsrs library's intervals exactly, undo, idempotent submits, daily limits, leeches."""

import uuid
from datetime import timedelta

import pytest
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from quiz.study.models import StudyCard, StudyReview
from quiz.study.services.queue import Deck, study_queue_next
from quiz.study.services.study import (
    card_bury,
    card_review,
    card_review_undo,
    card_suspend,
    cards_add_to_study,
    study_card_previews,
    study_day_bounds,
    study_settings_get,
)
from tests.quiz.study_helpers import T0

pytestmark = pytest.mark.django_db
State = StudyCard.State


def review(user, card, rating, at, review_id=None):
    return card_review(user=user, card_id=card.pk, rating=rating, review_id=review_id or uuid.uuid4(), now=at)


def row(user, card) -> StudyCard:
    return StudyCard.objects.get(user=user, card=card)


def test_scripted_sequence_gives_exactly_the_fsrs_library_intervals_and_states(user, deck_cards):
    settings = study_settings_get(user=user)
    settings.enable_fuzzing = False
    settings.save()
    card = deck_cards[0]
    reference = Scheduler(enable_fuzzing=False)
    expected = FsrsCard(card_id=card.pk, due=T0)
    at = T0
    script = [Rating.Good, Rating.Good, Rating.Again, Rating.Good, Rating.Hard, Rating.Easy, Rating.Again, Rating.Again,
              Rating.Good, Rating.Good]  # fmt: skip
    for rating in script:
        expected, _ = reference.review_card(expected, rating, at)
        review(user, card, int(rating), at)
        stored = row(user, card)
        assert stored.fsrs == expected.to_dict()
        assert (stored.state, stored.due, stored.stability) == (int(expected.state), expected.due, expected.stability)
        at = expected.due  # answer each time the card comes due
    assert StudyReview.objects.filter(user=user).count() == len(script)
    assert row(user, card).lapses == 2  # two Agains from Review; the third Again was in relearning


def test_button_previews_are_the_intervals_the_answer_gives_even_with_fuzz(user, deck_cards):
    card = deck_cards[1]
    at = T0
    for rating in (3, 3, 3, 3, 2, 4):
        settings = study_settings_get(user=user)
        study_card = StudyCard.objects.filter(user=user, card=card).first()
        preview = study_card_previews(settings=settings, study_card=study_card, card_id=card.pk, now=at)
        review(user, card, rating, at)
        assert row(user, card).due - at == preview[rating]
        at = row(user, card).due


def test_undo_restores_the_exact_previous_state_and_a_second_undo_is_a_no_op(user, deck_cards):
    card = deck_cards[0]
    review(user, card, 3, T0)
    before = row(user, card)
    snapshot = {f: getattr(before, f) for f in ("fsrs", "state", "due", "stability", "difficulty", "reps", "lapses")}
    second = review(user, card, 1, T0 + timedelta(minutes=10)).review
    assert row(user, card).fsrs != snapshot["fsrs"]
    assert card_review_undo(user=user, review_id=second.review_id).pk == second.pk
    after = row(user, card)
    assert {f: getattr(after, f) for f in snapshot} == snapshot
    card_review_undo(user=user, review_id=second.review_id)  # a doubled undo: the first review stays
    assert StudyReview.objects.filter(user=user, undone_at__isnull=True).count() == 1
    card_review_undo(user=user)
    assert row(user, card).state == State.NEW
    assert study_queue_next(user=user, now=T0).new == 6


def test_a_submit_sent_twice_counts_once(user, deck_cards):
    review_id = uuid.uuid4()
    first = review(user, deck_cards[0], 3, T0, review_id)
    again = review(user, deck_cards[0], 1, T0 + timedelta(seconds=2), review_id)
    assert (first.duplicate, again.duplicate) == (False, True)
    assert again.review.pk == first.review.pk and again.review.rating == 3
    assert StudyReview.objects.count() == 1 and row(user, deck_cards[0]).reps == 1


def test_review_ids_are_per_user_so_one_user_cannot_replay_another_users_answer(user, other_user, deck_cards):
    review_id = uuid.uuid4()
    review(user, deck_cards[0], 3, T0, review_id)
    theirs = review(other_user, deck_cards[0], 1, T0, review_id)
    assert not theirs.duplicate and theirs.review.user == other_user
    assert row(user, deck_cards[0]).reps == 1 and row(other_user, deck_cards[0]).reps == 1


def test_new_card_limit_holds_for_the_study_day_and_resets_at_the_day_start_hour(user, deck_cards):
    settings = study_settings_get(user=user)
    settings.new_per_day = 3
    settings.save()
    assert study_queue_next(user=user, now=T0).new == 3
    for card in study_queue_next(user=user, limit=10, now=T0).items:
        review(user, card.card, 4, T0)
    queue = study_queue_next(user=user, now=T0 + timedelta(hours=15))  # 03:00 UTC next morning: same study day
    assert (queue.new, queue.first) == (0, None) and queue.more_new
    assert study_queue_next(user=user, now=T0 + timedelta(hours=16)).new == 3  # 04:00: a new day


def test_day_boundary_follows_the_users_time_zone_and_hour(user):
    settings = study_settings_get(user=user)
    settings.time_zone, settings.day_start_hour = "America/New_York", 4
    start, end = study_day_bounds(settings=settings, now=T0)  # 07:00 in New York
    assert (start.hour, end - start) == (9, timedelta(days=1))  # 04:00 EST is 09:00 UTC
    start, end = study_day_bounds(settings=settings, now=T0.replace(day=8, hour=10))  # the DST switch night
    assert end - start == timedelta(hours=23)


def test_review_limit_caps_reviews_due_today(user, deck_cards):
    settings = study_settings_get(user=user)
    settings.reviews_per_day = 2
    settings.save()
    for card in deck_cards[:4]:
        review(user, card, 4, T0 - timedelta(days=30))  # Easy: straight to review, due well before T0
    queue = study_queue_next(user=user, limit=10, now=T0)
    assert queue.review == 2 and [item.kind for item in queue.items][:2] == ["review", "review"]
    for item in queue.items[:2]:
        review(user, item.card, 3, T0)
    assert study_queue_next(user=user, now=T0).review == 0


def test_a_card_lapsing_eight_times_becomes_a_suspended_leech(user, deck_cards):
    card = deck_cards[0]
    at = T0
    result = review(user, card, 4, at)
    for lapse in range(1, 9):
        at = row(user, card).due
        result = review(user, card, 1, at)  # a lapse: Review -> Relearning
        assert result.leech == (lapse == 8)
        if lapse < 8:
            at = row(user, card).due
            review(user, card, 3, at)  # back to Review
    stored = row(user, card)
    assert (stored.lapses, stored.is_leech, stored.suspended) == (8, True, True)
    assert card.pk not in [i.card.pk for i in study_queue_next(user=user, limit=10, ahead=True, now=at).items]


def test_suspend_bury_and_their_reverse_take_cards_out_of_the_queue_and_back(user, deck_cards):
    first, second = deck_cards[0], deck_cards[1]
    card_suspend(user=user, card_id=first.pk)
    card_bury(user=user, card_id=second.pk, now=T0)
    ids = [i.card.pk for i in study_queue_next(user=user, limit=10, now=T0).items]
    assert first.pk not in ids and second.pk not in ids
    assert second.pk in [i.card.pk for i in study_queue_next(user=user, limit=10, now=T0 + timedelta(hours=16)).items]
    card_suspend(user=user, card_id=first.pk, suspended=False)
    assert first.pk in [i.card.pk for i in study_queue_next(user=user, limit=10, now=T0).items]


def test_cards_added_by_another_feature_come_first_and_form_a_deck(user, deck_cards):
    review(user, deck_cards[2], 4, T0 - timedelta(hours=1))  # in review, due days later
    assert cards_add_to_study(user=user, card_ids=[deck_cards[5].pk, deck_cards[2].pk], source="interview", now=T0) == 2
    queue = study_queue_next(user=user, limit=10, now=T0)
    assert queue.items[0].card == deck_cards[2]  # seen card: due now
    assert [i.card for i in queue.items if i.kind == "new"][0] == deck_cards[5]  # unseen: front of the new queue
    failed = study_queue_next(user=user, deck=Deck(flag="interview"), limit=10, now=T0)
    assert {i.card.pk for i in failed.items} == {deck_cards[2].pk, deck_cards[5].pk}


def test_decks_filter_by_topic_difficulty_and_tag(user, deck_cards):
    def ids(deck):
        return {i.card.pk for i in study_queue_next(user=user, deck=deck, limit=10, now=T0).items}

    assert ids(Deck(topics=("topic-0",))) == {c.pk for c in deck_cards if c.topic.slug == "topic-0"}
    assert ids(Deck(difficulty=3)) == {c.pk for c in deck_cards if c.difficulty == 3}
    assert ids(Deck(tag="tag1")) == {c.pk for c in deck_cards if "tag1" in c.tags}
