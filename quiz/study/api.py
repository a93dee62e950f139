"""JSON API for studying: next cards, answer (idempotent by review id), undo, suspend / bury, statistics.

Session auth (with CSRF) like the rest of the API; every call acts on the requesting user's own state only."""

import uuid
from datetime import datetime
from typing import Literal

from django.http import QueryDict
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Query, Router, Schema

from quiz.bank.models import Card
from quiz.bank.services.markdown import markdown_render
from quiz.study.services.queue import Deck, study_queue_next
from quiz.study.services.stats import study_stats
from quiz.study.services.study import (
    RATINGS,
    StudyError,
    card_bury,
    card_review,
    card_review_undo,
    card_suspend,
    interval_label,
    study_card_previews,
)
from quizsite.input_policy import Id, ShortText, Slug

router = Router(tags=["study"])


class DeckQuery(Schema):
    topic: list[Slug] = Field(default_factory=list, max_length=20, description="Topic slugs; none means every topic.")
    difficulty: int | None = Field(None, ge=1, le=3)
    tag: ShortText = ""
    flag: Slug = Field("", description='Only cards flagged by another feature, e.g. "interview".')
    ahead: bool = Field(False, description="Study ahead: include reviews due in the next 7 days.")
    limit: int = Field(1, ge=1, le=50)

    def deck(self) -> Deck:
        query = QueryDict(mutable=True)
        query.setlist("topic", self.topic)
        query.update({"difficulty": str(self.difficulty or ""), "tag": self.tag, "flag": self.flag})
        return Deck.from_query(query)


class Interval(Schema):
    rating: int
    name: str
    seconds: int
    label: str


class NextCard(Schema):
    card_id: int
    slug: str
    topic: str
    kind: str
    question: str
    answer_html: str
    key_points: list[str]
    demo_slug: str
    intervals: list[Interval]


class NextOut(Schema):
    new: int
    learning: int
    review: int
    cards: list[NextCard]
    next_due: datetime | None
    more_new: bool


class ReviewIn(Schema):
    card_id: Id
    rating: int = Field(..., ge=1, le=4, description="1 Again, 2 Hard, 3 Good, 4 Easy")
    review_id: uuid.UUID = Field(..., description="Made by the client once per answer; a resend counts once.")
    duration_ms: int | None = Field(None, ge=0, le=3_600_000)


class ReviewOut(Schema):
    review_id: uuid.UUID
    card_id: int
    rating: int
    duplicate: bool
    leech: bool
    state: str
    due: datetime
    interval: str
    undone: bool


class UndoIn(Schema):
    review_id: uuid.UUID | None = None


class CardStateOut(Schema):
    card_id: int
    suspended: bool
    buried_until: datetime | None


class Error(Schema):
    detail: str


def _review_out(review, *, duplicate=False, leech=False) -> dict:
    return {
        "review_id": review.review_id, "card_id": review.card_id, "rating": review.rating, "duplicate": duplicate,
        "leech": leech, "state": review.get_state_after_display(), "due": review.due_after,
        "interval": interval_label(review.due_after - review.reviewed_at), "undone": review.undone_at is not None,
    }  # fmt: skip


@router.get("/next", response=NextOut)
def study_next(request, params: Query[DeckQuery]):
    """The next card(s) to study with today's counters; each card lists the interval every rating gives."""
    now = timezone.now()
    queue = study_queue_next(user=request.user, deck=params.deck(), limit=params.limit, ahead=params.ahead, now=now)
    cards = []
    for item in queue.items:
        previews = study_card_previews(
            settings=queue.settings, study_card=item.study_card, card_id=item.card.pk, now=now
        )
        cards.append({
            "card_id": item.card.pk, "slug": item.card.slug, "topic": item.card.topic.slug, "kind": item.kind,
            "question": item.card.question, "answer_html": markdown_render(item.card.answer),
            "key_points": item.card.key_points, "demo_slug": item.card.demo_slug,
            "intervals": [{"rating": r, "name": RATINGS[r], "seconds": int(d.total_seconds()), "label": interval_label(d)}
                          for r, d in previews.items()],
        })  # fmt: skip
    return {"new": queue.new, "learning": queue.learning, "review": queue.review, "cards": cards,
            "next_due": queue.next_due, "more_new": queue.more_new}  # fmt: skip


@router.post("/reviews", response={200: ReviewOut, 400: Error})
def study_review(request, payload: ReviewIn):
    """Answer a card. Sending the same review_id again returns the first result with duplicate=true."""
    try:
        result = card_review(user=request.user, card_id=payload.card_id, rating=payload.rating,
                             review_id=payload.review_id, duration_ms=payload.duration_ms)  # fmt: skip
    except StudyError as error:
        return 400, {"detail": str(error)}
    return _review_out(result.review, duplicate=result.duplicate, leech=result.leech)


@router.post("/undo", response={200: ReviewOut, 400: Error, 404: Error})
def study_undo(request, payload: UndoIn):
    """Undo the most recent answer (or, with review_id, that answer if it is the most recent; again: no-op)."""
    try:
        review = card_review_undo(user=request.user, review_id=payload.review_id)
    except StudyError as error:
        return 400, {"detail": str(error)}
    if review is None:
        return 404, {"detail": "Nothing to undo."}
    return _review_out(review)


@router.post("/cards/{card_id}/{action}", response={200: CardStateOut, 404: Error})
def study_card_action(request, card_id: Id, action: Literal["suspend", "unsuspend", "bury", "unbury"]):
    """Suspend or unsuspend a card, or bury it until the next study day (or unbury it)."""
    get_object_or_404(Card, pk=card_id)
    if action in {"suspend", "unsuspend"}:
        row = card_suspend(user=request.user, card_id=card_id, suspended=action == "suspend")
    else:
        row = card_bury(user=request.user, card_id=card_id, buried=action == "bury")
    return {"card_id": card_id, "suspended": row.suspended, "buried_until": row.buried_until}


@router.get("/stats")
def study_stats_json(request):
    """Counters, streak, retention by month, forecast and mastery per topic (the statistics page's data)."""
    stats = study_stats(user=request.user)
    return {
        "today": stats["today"], "streak": stats["streak"], "reviews_today": stats["reviews_today"],
        "total_reviews": stats["total_reviews"], "counts": stats["counts"], "retention": stats["retention"],
        "forecast": [{"date": day, "due": n} for day, n in stats["forecast"]],
        "heatmap": [{"date": day, "reviews": n} for day, n in stats["heatmap"] if n],
        "mastery": [{"topic": t["topic"].slug, "cards": t["cards"], "mature": t["mature"], "share": t["share"]}
                    for t in stats["mastery"]],
    }  # fmt: skip
