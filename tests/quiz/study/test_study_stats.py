"""Statistics (streak, retention, forecast, mastery)."""

import uuid
from datetime import date, timedelta

import pytest

from quiz.study.models import StudyCard
from quiz.study.services.stats import study_stats, study_streak
from quiz.study.services.study import card_review
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
