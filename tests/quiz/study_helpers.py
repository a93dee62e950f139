"""Shared by the study tests: a small deck of cards in two topics, and a clock."""

from datetime import UTC, datetime

from quiz.bank.models import Card, Topic

T0 = datetime(2025, 3, 3, 12, 0, tzinfo=UTC)  # a Monday, noon UTC: well inside a study day


def cards_make(count: int = 6, *, topics: int = 2) -> list[Card]:
    made = [Topic.objects.create(slug=f"topic-{i}", name=f"Topic {i}", position=i) for i in range(topics)]
    return [
        Card.objects.create(slug=f"card-{i}", topic=made[i % topics], question=f"Question {i}?",
                            answer=f"Answer **{i}** with $x^{i}$", key_points=[f"point {i}"], tags=[f"tag{i % 3}"],
                            difficulty=1 + i % 3, demo_slug="attention" if i == 0 else "")
        for i in range(count)
    ]  # fmt: skip
