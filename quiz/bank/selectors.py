"""Read-only queries over the bank."""

from django.db.models import Q, QuerySet

from quiz.bank.models import Card, Topic


def card_list(*, text: str = "", topic: str = "", difficulty: int | None = None) -> QuerySet[Card]:
    cards = Card.objects.in_use().select_related("topic")
    for word in text.split()[:8]:
        cards = cards.filter(Q(question__icontains=word) | Q(answer__icontains=word) | Q(tags__icontains=word))
    if topic:
        cards = cards.filter(topic__slug=topic)
    if difficulty:
        cards = cards.filter(difficulty=difficulty)
    return cards


def card_related(*, card: Card, limit: int = 5) -> list[Card]:
    """Cards of the same topic, those sharing the most tags first."""
    siblings = Card.objects.in_use().filter(topic_id=card.topic_id).exclude(pk=card.pk).select_related("topic")
    tags = set(card.tags)
    return sorted(siblings, key=lambda other: (-len(tags & set(other.tags)), other.pk))[:limit]


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()
