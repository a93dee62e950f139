"""Read-only queries over the bank, and the lookups of a user's own records."""

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from quiz.exam_models import Quiz
from quiz.models import Card, Topic


def card_list(*, text: str = "", topic: str = "", difficulty: int | None = None) -> QuerySet[Card]:
    cards = Card.objects.select_related("topic")
    for word in text.split()[:8]:
        cards = cards.filter(Q(question__icontains=word) | Q(answer__icontains=word) | Q(tags__icontains=word))
    if topic:
        cards = cards.filter(topic__slug=topic)
    if difficulty:
        cards = cards.filter(difficulty=difficulty)
    return cards


def card_related(*, card: Card, limit: int = 5) -> list[Card]:
    """Cards of the same topic, those sharing the most tags first."""
    siblings = Card.objects.filter(topic_id=card.topic_id).exclude(pk=card.pk).select_related("topic")
    tags = set(card.tags)
    return sorted(siblings, key=lambda other: (-len(tags & set(other.tags)), other.pk))[:limit]


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()


def quiz_of_user(*, user, quiz_id: int) -> Quiz:
    """The user's own quiz; anyone else's is a 404, as if it did not exist."""
    return get_object_or_404(Quiz, pk=quiz_id, user=user)
