"""Statistics (streak, retention, forecast, mastery) and the FSRS optimizer's plumbing."""

import uuid
from datetime import date, timedelta

import pytest
from django.urls import reverse

from quiz.services import study_optimize
from quiz.services.study import card_review
from quiz.services.study_optimize import OptimizeError, fsrs_params_optimize, fsrs_params_optimize_run
from quiz.services.study_stats import study_stats, study_streak
from quiz.study_models import StudyCard, StudySettings
from tests.quiz.study_helpers import T0

pytestmark = pytest.mark.django_db


def history(user, cards, rounds: int):
    """Answer each card every time it comes due: Good, except every fourth answer is Again."""
    for n, card in enumerate(cards):
        at = T0 - timedelta(days=200)
        for step in range(rounds):
            rating = 1 if (step + n) % 4 == 3 else 3
            card_review(user=user, card_id=card.pk, rating=rating, review_id=uuid.uuid4(), now=at)
            at = StudyCard.objects.get(user=user, card=card).due


def test_streak_counts_consecutive_days_ending_today_or_yesterday():
    today = date(2025, 3, 3)
    assert study_streak({today, today - timedelta(days=1), today - timedelta(days=3)}, today) == 2
    assert study_streak({today - timedelta(days=1), today - timedelta(days=2)}, today) == 2
    assert study_streak(set(), today) == 0


def test_stats_count_reviews_retention_forecast_and_mastery(user, deck_cards):
    history(user, deck_cards[:3], rounds=8)
    stats = study_stats(user=user, now=T0)
    assert stats["total_reviews"] == sum(n for _, n in stats["heatmap"]) > 0
    reviewed = [m for m in stats["retention"] if m["total"]]
    assert reviewed and all(0 <= m["rate"] <= 1 for m in reviewed)
    assert stats["counts"]["new"] == 3 and sum(n for _, n in stats["forecast"]) <= 3
    shares = {t["topic"].slug: t["share"] for t in stats["mastery"]}
    assert set(shares) == {"topic-0", "topic-1"} and all(0 <= s <= 1 for s in shares.values())


def test_optimizer_needs_enough_history_and_says_how_much(user, deck_cards):
    history(user, deck_cards[:2], rounds=3)
    with pytest.raises(OptimizeError, match=r"Not enough review history yet: \d+ of 512"):
        fsrs_params_optimize(user=user)


def test_optimizer_reports_old_and_new_parameters_and_log_loss(user, deck_cards, monkeypatch):
    monkeypatch.setattr(study_optimize, "OPTIMIZE_MIN_REVIEWS", 5)
    history(user, deck_cards[:4], rounds=6)
    report = fsrs_params_optimize_run(user_id=user.pk)  # what the worker runs
    assert report["status"] == "done" and len(report["old"]) == len(report["new"]) == 21
    assert report["loss_before"] > 0 and report["loss_after"] > 0 and report["reviews"] == 24
    assert StudySettings.objects.get(user=user).optimize_report["status"] == "done"


def test_optimize_button_queues_the_fit_on_the_worker(user_client, user, deck_cards, monkeypatch,
                                                      django_capture_on_commit_callbacks):  # fmt: skip
    from quizsite.celery import app

    monkeypatch.setattr(study_optimize, "OPTIMIZE_MIN_REVIEWS", 1)
    history(user, deck_cards[:1], rounds=3)
    queued = []
    monkeypatch.setattr(app, "send_task", lambda name, *, args, **options: queued.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        body = user_client.post(reverse("quiz:study_optimize"), headers={"HX-Request": "true"}).content.decode()
    assert queued == [("study.optimize", [user.pk])] and "Optimizing" in body and 'hx-trigger="every 2s"' in body
    assert user_client.get(reverse("quiz:study_optimize")).status_code == 200  # still running: keep polling
