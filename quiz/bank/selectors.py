"""Read-only queries over the bank."""

from django.db.models import QuerySet

from quiz.bank.models import Card, Topic
from quiz.bank.services.search import card_search


def card_list(*, text: str = "", topic: str = "", difficulty: int | None = None) -> QuerySet[Card]:
    """Cards in bank order, or with ``text`` by relevance (quiz.bank.services.search)."""
    cards = Card.objects.in_use().select_related("topic")
    if topic:
        cards = cards.filter(topic__slug=topic)
    if difficulty:
        cards = cards.filter(difficulty=difficulty)
    return card_search(text=text, cards=cards) if text.strip() else cards


def topic_list() -> QuerySet[Topic]:
    return Topic.objects.all()
