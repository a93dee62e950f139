"""JSON API for the bank (read-only, public)."""

from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from quiz.bank.models import Card
from quiz.bank.selectors import card_list, topic_list
from quiz.bank.services.markdown import markdown_render
from quizsite.input_policy import BoundedPageNumberPagination, ShortText, Slug

router = Router(tags=["bank"])


class TopicOut(Schema):
    slug: str
    name: str
    description: str


class CardOut(Schema):
    slug: str
    topic: str
    question: str
    answer: str
    answer_html: str
    key_points: list[str]
    details: str
    difficulty: int
    tags: list[str]
    demo_slug: str

    @staticmethod
    def resolve_topic(card: Card) -> str:
        return card.topic.slug

    @staticmethod
    def resolve_answer_html(card: Card) -> str:
        return markdown_render(card.answer)


@router.get("/topics", response=list[TopicOut], auth=None)
def topics(request):
    return topic_list()


@router.get("/cards", response=list[CardOut], auth=None)
@paginate(BoundedPageNumberPagination, page_size=20)
def cards(request, q: ShortText = "", topic: Slug = "", difficulty: Annotated[int, Field(ge=1, le=3)] | None = None):
    return card_list(text=q, topic=topic, difficulty=difficulty)


@router.get("/cards/{slug}", response=CardOut, auth=None)
def card(request, slug: Slug):
    """A card merged into another answers with the card it now lives in (its own slug in the payload)."""
    card = get_object_or_404(Card.objects.select_related("topic", "retired_into__topic"), slug=slug)
    return card.retired_into or card
