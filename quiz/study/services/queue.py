"""What to study next: decks (card filters), today's limits and counters, and the queue order.

Order follows Anki: learning cards that are due, then reviews due today, then new cards, then learning cards
due within the learn-ahead window. New cards and reviews are capped per study day by the user's limits.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import FilteredRelation, Q
from django.utils import timezone

from quiz.bank.models import Card
from quiz.study.models import StudyCard, StudyFlag, StudyReview, StudySettings
from quiz.study.services.interview_plan import interview_active
from quiz.study.services.study import study_day_bounds, study_settings_get, study_today

State = StudyCard.State
LEARN_AHEAD = timedelta(minutes=20)  # Anki's default learn-ahead limit
STUDY_AHEAD = timedelta(days=7)  # "study ahead" shows reviews due within the next week


@dataclass(frozen=True)
class Deck:
    """A set of cards to study: all of them, some topics, or a filter. Built from and back to a query string."""

    topics: tuple[str, ...] = ()
    difficulty: int | None = None
    tag: str = ""
    flag: str = ""  # a StudyFlag.Source, e.g. "interview" for cards failed in a mock interview

    @classmethod
    def from_query(cls, query) -> "Deck":
        difficulty = query.get("difficulty", "")
        flag = query.get("flag", "")
        return cls(
            topics=tuple(sorted({t for t in query.getlist("topic") if t}))[:20],
            difficulty=int(difficulty) if difficulty in {"1", "2", "3"} else None,
            tag=query.get("tag", "").strip()[:64],
            flag=flag if flag in StudyFlag.Source.values else "",
        )

    @property
    def querystring(self) -> str:
        pairs = [("topic", t) for t in self.topics]
        pairs += [(k, v) for k, v in (("difficulty", self.difficulty), ("tag", self.tag), ("flag", self.flag)) if v]
        return urlencode(pairs)

    @property
    def is_all(self) -> bool:
        return not (self.topics or self.difficulty or self.tag or self.flag)

    def card_q(self, *, user, prefix: str = "") -> Q:
        q = Q()
        if self.topics:
            q &= Q(**{f"{prefix}topic__slug__in": self.topics})
        if self.difficulty:
            q &= Q(**{f"{prefix}difficulty": self.difficulty})
        if self.tag:
            q &= Q(**{f"{prefix}tags__icontains": f'"{self.tag}"'})  # tags is a JSON list of strings
        if self.flag:
            q &= Q(**{f"{prefix}study_flags__user": user, f"{prefix}study_flags__source": self.flag})
        return q


@dataclass
class QueueItem:
    card: Card
    study_card: StudyCard | None
    kind: str  # "new", "learning" or "review"


@dataclass
class StudyQueue:
    items: list[QueueItem]
    new: int  # left today
    learning: int
    review: int
    settings: StudySettings
    next_due: datetime | None = None  # when nothing is left: the next card's due time
    more_new: bool = False  # when nothing is left: new cards wait beyond today's limit
    done_today: dict = field(default_factory=dict)

    @property
    def first(self) -> QueueItem | None:
        return self.items[0] if self.items else None


def study_done_today(*, user, settings: StudySettings, now: datetime) -> dict:
    """Answers given this study day (undone ones not counted): new cards introduced and reviews done."""
    start, _ = study_day_bounds(settings=settings, now=now)
    states = list(StudyReview.objects.filter(user=user, reviewed_at__gte=start, undone_at__isnull=True)
                  .values_list("state_before", flat=True))  # fmt: skip
    return {"new": states.count(State.NEW), "review": states.count(State.REVIEW), "total": len(states)}


def study_new_limit(*, settings: StudySettings, now: datetime) -> int:
    extra = settings.extra_new if settings.extra_new_day == study_today(settings=settings, now=now) else 0
    return settings.new_per_day + extra


def study_queue_next(*, user, deck: Deck = Deck(), limit: int = 1, ahead: bool = False,
                     now: datetime | None = None) -> StudyQueue:  # fmt: skip
    """The next ``limit`` cards to study and today's counters (new / learning / review left).

    The deck is read as small tuples (card, the user's row for it) and sorted here: one plain query instead of
    several conditional aggregates, whose building cost more than running them."""
    now = now or timezone.now()
    settings = study_settings_get(user=user)
    _, day_end = study_day_bounds(settings=settings, now=now)
    review_end = day_end + STUDY_AHEAD if ahead else day_end
    done = study_done_today(user=user, settings=settings, now=now)
    new_left = max(study_new_limit(settings=settings, now=now) - done["new"], 0)
    review_left = max(settings.reviews_per_day - done["review"], 0)

    # One query for the whole deck: every card in bank order, LEFT JOINed to the user's row for it (if any).
    rows = (Card.objects.in_use().filter(deck.card_q(user=user)).exclude(answer="")  # questions awaiting an answer wait
            .annotate(mine=FilteredRelation("study_states", condition=Q(study_states__user=user)))
            .order_by("topic__position", "id")
            .values_list("pk", "mine__id", "mine__state", "mine__due", "mine__suspended", "mine__buried_until"))  # fmt: skip
    learning_now, learning_later, reviews, fresh, flagged = [], [], [], [], []
    learning_today, next_due = 0, None
    for card_id, pk, state, due, suspended, buried_until in rows:
        if pk is None:
            fresh.append(card_id)  # never seen
            continue
        if suspended or (buried_until is not None and buried_until > now):
            continue
        if state == State.NEW:
            flagged.append(card_id)  # a row for an unseen card: put in the deck by another feature
            continue
        next_due = due if next_due is None else min(next_due, due)
        if state == State.REVIEW:
            if due < review_end:
                reviews.append((due, pk))
        elif due <= now:
            learning_now.append((due, pk))
        else:
            if ahead or due < now + LEARN_AHEAD:
                learning_later.append((due, pk))
        learning_today += state != State.REVIEW and due < day_end
    fresh = flagged + fresh  # flagged first, then bank order
    if settings.interview_topics and interview_active(settings=settings, today=study_today(settings=settings, now=now)):
        # Before an interview, new cards of its topics come first: they need the most days to settle.
        chosen = set(
            Card.objects.filter(pk__in=fresh, topic__slug__in=settings.interview_topics).values_list("pk", flat=True)
        )
        fresh = [pk for pk in fresh if pk in chosen] + [pk for pk in fresh if pk not in chosen]
    queue = StudyQueue(items=[], new=min(len(fresh), new_left), learning=learning_today,
                       review=min(len(reviews), review_left), settings=settings, done_today=done)  # fmt: skip

    picks = [("learning", pk) for _, pk in sorted(learning_now)]
    picks += [("review", pk) for _, pk in sorted(reviews)[: queue.review]]
    picks += [("new", card_id) for card_id in fresh[: queue.new]]
    picks += [("learning", pk) for _, pk in sorted(learning_later)]
    picks = picks[:limit]
    started = StudyCard.objects.select_related("card__topic").in_bulk([pk for kind, pk in picks if kind != "new"])
    new = Card.objects.select_related("topic").in_bulk([pk for kind, pk in picks if kind == "new"])
    for kind, pk in picks:
        if kind == "new":
            queue.items.append(QueueItem(card=new[pk], study_card=None, kind=kind))
        else:
            queue.items.append(QueueItem(card=started[pk].card, study_card=started[pk], kind=kind))
    if not queue.items:
        queue.next_due = next_due
        queue.more_new = not new_left and bool(fresh)
    return queue
