"""The FSRS optimizer on fsrs-rs: Anki's log conversion, held-out evaluation, the engine's own refusal, the
retention suggestion, agreement with the fsrs scheduler, and the settings page that runs it in the request."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs_rs_python as engine
import pytest
from django.urls import reverse
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler
from fsrs.scheduler import DEFAULT_PARAMETERS

from quiz.study.models import StudyCard, StudyReview, StudySettings
from quiz.study.services.optimize import (
    MESSAGE_ENGINE_KEPT_DEFAULTS,
    MESSAGE_NO_HISTORY,
    OptimizeError,
    ReviewEvent,
    fsrs_history_build,
    fsrs_params_optimize,
)
from tests.quiz.study_helpers import cards_make
from tests.quiz.study_sim import learner_simulate

UTC_ZONE = ZoneInfo("UTC")


def events_store(user, log) -> None:
    """The simulated log as review rows (only what the optimizer reads needs to be faithful)."""
    cards = {index + 1: card for index, card in enumerate(cards_make(max(r.card_id for r in log), topics=3))}
    rows = {cid: StudyCard.objects.create(user=user, card=card, fsrs={}, due=log[0].reviewed_at)
            for cid, card in cards.items()}  # fmt: skip
    StudyReview.objects.bulk_create(
        StudyReview(user=user, card=cards[r.card_id], study_card=rows[r.card_id], review_id=uuid.uuid4(),
                    rating=r.rating, reviewed_at=r.reviewed_at, state_before=2, before={}, state_after=2,
                    due_after=r.reviewed_at)
        for r in log
    )  # fmt: skip


def test_history_becomes_one_item_per_later_day_review_with_same_day_steps_kept_at_zero_days():
    t = datetime(2026, 3, 2, 10, tzinfo=UTC)
    events = [
        ReviewEvent(1, 1, t), ReviewEvent(1, 3, t + timedelta(minutes=10)),  # learning steps, same day
        ReviewEvent(1, 3, t + timedelta(days=1)), ReviewEvent(1, 3, t + timedelta(days=4)),
        ReviewEvent(2, 3, t + timedelta(hours=1)),  # a single review makes no item
    ]  # fmt: skip
    history = fsrs_history_build(events=events, zone=UTC_ZONE, day_start_hour=4)
    assert history.card_ids == [1, 1]
    # the engine's review objects expose their fields only through repr
    reviews = [[tuple(map(int, pair)) for pair in re.findall(r"rating: (\d+), delta_t: (\d+)", repr(item))]
               for item in history.items]  # fmt: skip
    assert reviews == [
        [(1, 0), (3, 0), (3, 1)],
        [(1, 0), (3, 0), (3, 1), (3, 3)],
    ]


def test_study_day_boundary_follows_the_learners_zone_and_day_start_hour():
    late = datetime(2026, 3, 2, 23, 30, tzinfo=UTC)  # 02:30 on the 3rd in Berlin: still the 2nd's study day
    events = [ReviewEvent(1, 3, datetime(2026, 3, 2, 12, tzinfo=UTC)), ReviewEvent(1, 3, late)]
    assert len(fsrs_history_build(events=events, zone=ZoneInfo("Europe/Berlin"), day_start_hour=4)) == 0
    assert len(fsrs_history_build(events=events, zone=ZoneInfo("Europe/Berlin"), day_start_hour=0)) == 1


@pytest.mark.django_db
def test_without_reviews_the_optimizer_says_what_to_do(user):
    with pytest.raises(OptimizeError, match=MESSAGE_NO_HISTORY):
        fsrs_params_optimize(user=user)


@pytest.mark.django_db
def test_on_a_short_history_the_engine_keeps_the_defaults_and_the_page_says_why(user):
    events_store(user, learner_simulate(cards=6, days=4, new_per_day=3, seed=1))
    report = fsrs_params_optimize(user=user)
    assert report["applied"] is False and report["new"] == pytest.approx(list(engine.DEFAULT_PARAMETERS))
    assert report["message"] == MESSAGE_ENGINE_KEPT_DEFAULTS.format(items=report["usable_reviews"])
    assert StudySettings.objects.get(user=user).parameters == []


@pytest.mark.django_db
def test_a_real_history_is_fitted_evaluated_on_unseen_reviews_and_kept_because_it_predicts_better(user):
    events_store(user, learner_simulate(cards=300, days=90, new_per_day=10, seed=2))
    report = fsrs_params_optimize(user=user)
    evaluation = report["evaluation"]
    assert 0 < evaluation["tested_reviews"] < report["usable_reviews"]  # the first fold is only ever trained on
    assert evaluation["fitted"]["log_loss"] < evaluation["current"]["log_loss"]
    assert report["applied"] is True
    assert StudySettings.objects.get(user=user).parameters == pytest.approx(report["new"])
    retention = report["retention"]
    assert 0.7 <= retention["suggested_retention"] <= 0.97
    per_day = [row["reviews_per_day"] for row in retention["workload"]]
    assert per_day == sorted(per_day) and per_day[0] < per_day[-1]  # more retention costs more reviews


def test_fitted_parameters_give_the_same_intervals_in_the_fsrs_scheduler_as_in_the_engine():
    log = learner_simulate(cards=300, days=90, new_per_day=10, seed=3)
    history = fsrs_history_build(events=[ReviewEvent(r.card_id, r.rating, r.reviewed_at) for r in log],
                                 zone=UTC_ZONE, day_start_hour=0)  # fmt: skip
    parameters = list(engine.FSRS(engine.DEFAULT_PARAMETERS).compute_parameters(history.items))
    assert parameters != pytest.approx(list(DEFAULT_PARAMETERS))
    scheduler = Scheduler(parameters=parameters, desired_retention=0.9, learning_steps=(), relearning_steps=(),
                          enable_fuzzing=False)  # fmt: skip
    model = engine.FSRS(parameters)
    now = datetime(2026, 1, 1, 9, tzinfo=UTC)
    card, reviews, compared = FsrsCard(card_id=1, due=now), [], 0
    for rating in (Rating.Good, Rating.Good, Rating.Hard, Rating.Good, Rating.Again, Rating.Good, Rating.Easy):
        if card.last_review is not None:
            elapsed = (now - card.last_review).days
            memory = model.memory_state(engine.FSRSItem(list(reviews)))
            states = model.next_states(memory, 0.9, elapsed)
            for option, state in zip(Rating, (states.again, states.hard, states.good, states.easy), strict=True):
                ours, _ = scheduler.review_card(card, option, now)
                assert abs((ours.due - now).days - round(state.interval)) <= 1, (option, ours.due - now, state)
                compared += 1
        reviews.append(engine.FSRSReview(int(rating), 0 if card.last_review is None else (now - card.last_review).days))
        card, _ = scheduler.review_card(card, rating, now)
        now = card.due
    assert compared == 24


@pytest.mark.django_db
def test_the_settings_page_fits_in_the_request_and_shows_losses_suggestion_and_workload(user_client, user):
    events_store(user, learner_simulate(cards=120, days=60, new_per_day=6, seed=4))
    assert user_client.get(reverse("quiz:study_optimize")).status_code == 405  # changes state: POST only
    body = user_client.post(reverse("quiz:study_optimize"), headers={"HX-Request": "true"}).content.decode()
    assert "Log loss" in body and "Suggested desired retention" in body and "reviews per day" in body.lower()
    assert "<svg" in body and "Reviews a day" in body
    page = user_client.get(reverse("quiz:study_settings")).content.decode()
    assert "Prediction error on reviews each fit had not seen" in page
    assert user_client.post(reverse("quiz:study_optimize")).status_code == 302  # without htmx: back to settings


@pytest.mark.django_db
def test_a_report_left_by_the_former_queued_optimizer_is_not_shown_as_running(user_client, user):
    settings = StudySettings.objects.create(user=user, optimize_report={"status": "queued", "error": ""})
    page = user_client.get(reverse("quiz:study_settings")).content.decode()
    assert settings.pk and "Optimizing" not in page and "Fit, evaluate and suggest a retention" in page
