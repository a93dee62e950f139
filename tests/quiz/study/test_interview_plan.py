"""Interview-date mode: the day rule, the simulated learner against plain FSRS, and the per-user plan."""

from datetime import UTC, date, datetime, timedelta

import pytest
from fsrs import Rating

from quiz.study.services.interview_plan import interview_day_pick, interview_forecast, interview_plan_apply
from quiz.study.services.study import card_review, study_settings_get
from tests.quiz.study_sim import learner_prepare

DECAY = 0.1542


def test_card_already_due_before_the_date_keeps_its_day():
    day = interview_day_pick(due_day=date(2026, 1, 5), stability=3.0, decay=DECAY, today=date(2026, 1, 1),
                             interview_day=date(2026, 1, 10), load={}, day_limit=100, target=0.95)  # fmt: skip
    assert day is None


def test_card_due_after_the_date_moves_close_before_it_onto_the_emptiest_day():
    load = {date(2026, 1, 9): 50, date(2026, 1, 8): 10}
    day = interview_day_pick(due_day=date(2026, 1, 20), stability=8.0, decay=DECAY, today=date(2026, 1, 1),
                             interview_day=date(2026, 1, 10), load=load, day_limit=100, target=0.95)  # fmt: skip
    assert date(2026, 1, 2) <= day <= date(2026, 1, 9)
    assert day == date(2026, 1, 7)  # within reach (recall 0.95 after ~3.7 days), empty, latest of the empty ones


def test_full_days_are_never_chosen():
    load = {date(2026, 1, d): 80 for d in range(2, 10)}
    day = interview_day_pick(due_day=date(2026, 1, 20), stability=8.0, decay=DECAY, today=date(2026, 1, 1),
                             interview_day=date(2026, 1, 10), load=load, day_limit=100, target=0.95)  # fmt: skip
    assert day is None


def test_nothing_moves_while_the_learner_is_more_than_a_day_behind():
    pick = dict(due_day=date(2026, 1, 20), stability=8.0, decay=DECAY, today=date(2026, 1, 1),
                interview_day=date(2026, 1, 10), load={}, day_limit=100, target=0.95)  # fmt: skip
    assert interview_day_pick(**pick, behind=100) is not None
    assert interview_day_pick(**pick, behind=101) is None


def test_with_a_limit_too_tight_to_keep_up_the_plan_does_no_harm():
    for seed in (5, 6):
        plain = learner_prepare(plan=False, seed=seed, review_limit=40)
        plan = learner_prepare(plan=True, seed=seed, review_limit=40)
        assert plan.recall_at_date >= plain.recall_at_date - 0.01
        assert plan.max_reviews_per_day <= 40


def test_simulated_learner_recalls_more_on_the_day_within_the_review_limit():
    """Same learner, same days, same limit: the date plan beats plain FSRS on true recall on the interview morning,
    and no day has more reviews than the limit (held-out seeds; bench/interview_plan.py prints the figures)."""
    for seed in (5, 6):
        plain = learner_prepare(plan=False, seed=seed, review_limit=60)
        plan = learner_prepare(plan=True, seed=seed, review_limit=60)
        assert plan.recall_at_date > plain.recall_at_date + 0.01
        assert plan.below_target < plain.below_target
        assert plan.max_reviews_per_day <= 60


@pytest.mark.django_db
def test_answer_before_the_date_is_due_again_before_it_and_plain_fsrs_would_skip_the_day(user, deck_cards):
    at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    the_day = datetime(2026, 3, 30, 4, tzinfo=UTC)  # the study day starts at 04:00 (UTC here)
    settings = study_settings_get(user=user)
    settings.enable_fuzzing = False
    settings.save()

    def answer_twice(card, tag):
        card_review(user=user, card_id=card.pk, rating=Rating.Easy, review_id=f"00000000-0000-0000-0000-0000000000{tag}1",
                    now=at)  # fmt: skip
        return card_review(user=user, card_id=card.pk, rating=Rating.Good, now=at + timedelta(days=8),
                           review_id=f"00000000-0000-0000-0000-0000000000{tag}2").review.due_after  # fmt: skip

    assert answer_twice(deck_cards[1], "a") > the_day
    settings.interview_date = date(2026, 3, 30)
    settings.save()
    due = answer_twice(deck_cards[0], "b")
    assert at + timedelta(days=9) < due < the_day
    assert due.astimezone(UTC).hour == 4  # due from the start of that study day


@pytest.mark.django_db
def test_setting_a_date_moves_far_cards_and_forecasts_recall(user, deck_cards):
    at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    for index, card in enumerate(deck_cards[:3]):
        card_review(user=user, card_id=card.pk, rating=Rating.Easy, review_id=f"00000000-0000-0000-0000-0000000001{index}0",
                    now=at)  # fmt: skip
    settings = study_settings_get(user=user)
    settings.interview_date = date(2026, 3, 8)  # FSRS has them due on the 9th
    settings.save()
    later = at + timedelta(days=1)
    before = interview_forecast(user=user, now=later)
    moved = interview_plan_apply(user=user, now=later)
    after = interview_forecast(user=user, now=later)
    assert moved >= 1
    assert after.expected_recall > before.expected_recall
    assert after.days_left == 6 and len(after.curve) == 7


@pytest.mark.django_db
def test_settings_page_saves_the_date_and_topics_and_shows_the_forecast(user_client, user, deck_cards):
    card_review(
        user=user, card_id=deck_cards[0].pk, rating=Rating.Easy, review_id="00000000-0000-0000-0000-000000000301"
    )
    settings = study_settings_get(user=user)
    day = date.today() + timedelta(days=12)
    form = {"desired_retention": "0.9", "new_per_day": "20", "reviews_per_day": "200", "learning_steps": "1m 10m",
            "relearning_steps": "10m", "day_start_hour": "4", "time_zone": "UTC", "leech_threshold": "8",
            "maximum_interval": "36500", "interview_date": day.isoformat(), "interview_topics": ["topic-0"]}  # fmt: skip
    response = user_client.post("/study/settings/", form)
    assert response.status_code == 302
    settings.refresh_from_db()
    assert settings.interview_date == day and settings.interview_topics == ["topic-0"]
    page = user_client.get("/study/settings/").content.decode()
    assert "12 days to go" in page or "11 days to go" in page  # the study day may not have turned yet
    assert 'aria-label="Expected recall on each day up to the interview' in page


@pytest.mark.django_db
def test_button_previews_show_the_interval_the_answer_gives_in_date_mode(user, deck_cards):
    from quiz.study.models import StudyCard
    from quiz.study.services.study import study_card_previews

    at = datetime(2026, 3, 1, 12, tzinfo=UTC)
    settings = study_settings_get(user=user)
    settings.enable_fuzzing, settings.interview_date = False, date(2026, 3, 30)
    settings.save()
    card = deck_cards[0]
    card_review(
        user=user, card_id=card.pk, rating=Rating.Easy, review_id="00000000-0000-0000-0000-000000000401", now=at
    )
    later = at + timedelta(days=8)
    study_card = StudyCard.objects.get(user=user, card=card)
    preview = study_card_previews(settings=settings, study_card=study_card, card_id=card.pk, now=later)
    result = card_review(user=user, card_id=card.pk, rating=Rating.Good, review_id="00000000-0000-0000-0000-000000000402",
                         now=later)  # fmt: skip
    assert result.review.due_after - later == preview[Rating.Good]


@pytest.mark.django_db
def test_new_cards_of_the_interview_topics_come_first(user, deck_cards):
    from quiz.study.services.queue import study_queue_next

    settings = study_settings_get(user=user)
    first = study_queue_next(user=user, limit=6).items[0].card
    assert first.topic.slug == "topic-0"  # bank order
    settings.interview_date, settings.interview_topics = date.today() + timedelta(days=10), ["topic-1"]
    settings.save()
    items = study_queue_next(user=user, limit=6).items
    assert [item.card.topic.slug for item in items] == ["topic-1"] * 3 + ["topic-0"] * 3
