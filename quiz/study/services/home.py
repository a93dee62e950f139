"""What a logged-in learner sees first: today's counts, the interview countdown, the streak, the weakest topics,
and the one next step (study, a mock interview, or a demo), in that order of priority."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from fsrs import Card as FsrsCard

from quiz.bank.models import Card, Topic
from quiz.study.models import StudyCard, StudyReview
from quiz.study.services.interview_plan import interview_active
from quiz.study.services.queue import Deck, study_queue_next
from quiz.study.services.stats import _study_date, study_streak
from quiz.study.services.study import study_scheduler, study_settings_get, study_today, study_zone

WEAKEST_TOPICS = 3
WEAK_HORIZON = timedelta(days=7)  # recall a week ahead: right after an answer every card is at 100%
STREAK_DAYS = 400  # a streak is counted over this many days back at most


@dataclass
class TopicRecall:
    topic: Topic
    recall: float  # mean predicted recall a week from now over the cards seen, as if not reviewed before
    seen: int
    cards: int

    @property
    def study_url(self) -> str:
        return reverse("quiz:study") + "?" + urlencode({"topic": self.topic.slug})


@dataclass
class NextStep:
    label: str
    url: str
    why: str


@dataclass
class LearnerHome:
    due: int  # learning and review cards left today, within the daily limit
    new: int  # new cards left today
    started: bool  # has answered at least one card
    days_to_interview: int | None
    streak: int
    weakest: list[TopicRecall] = field(default_factory=list)
    next_step: NextStep | None = None


def topics_by_recall(*, user, now: datetime) -> list[TopicRecall]:
    """Topics with a card seen, weakest first: mean FSRS retrievability of the seen cards a week ahead (a card
    answered a moment ago is at 100% now whatever its stability; a week on, the weak ones show)."""
    settings = study_settings_get(user=user)
    scheduler = study_scheduler(settings=settings)
    totals = defaultdict(list)
    rows = StudyCard.objects.filter(user=user, suspended=False).exclude(state=StudyCard.State.NEW)
    for topic_id, fsrs in rows.values_list("card__topic_id", "fsrs"):
        fcard = FsrsCard.from_dict(fsrs)
        ahead = now + WEAK_HORIZON
        totals[topic_id].append(scheduler.get_card_retrievability(fcard, ahead) if fcard.last_review else 0.0)
    sizes = dict(Card.objects.in_use().filter(topic_id__in=totals).values_list("topic_id").annotate(n=Count("id")))
    topics = Topic.objects.in_bulk(list(totals))
    ranked = [TopicRecall(topic=topics[t], recall=sum(v) / len(v), seen=len(v), cards=sizes.get(t, len(v)))
              for t, v in totals.items()]  # fmt: skip
    return sorted(ranked, key=lambda r: (r.recall, r.topic.position))


def _demo_for(weakest: list[TopicRecall]) -> Card | None:
    from demos.kinds import KINDS

    topics = [row.topic.pk for row in weakest]
    cards = Card.objects.in_use().filter(demo_slug__in=list(KINDS)).order_by("topic__position", "pk")
    for topic_id in topics:
        card = cards.filter(topic_id=topic_id).first()
        if card is not None:
            return card
    return cards.first()


def learner_home(*, user, now: datetime | None = None) -> LearnerHome:
    now = now or timezone.now()
    settings = study_settings_get(user=user)
    queue = study_queue_next(user=user, deck=Deck(), now=now)
    zone, hour = study_zone(settings=settings), settings.day_start_hour
    today = study_today(settings=settings, now=now)
    since = now - timedelta(days=STREAK_DAYS)
    moments = StudyReview.objects.filter(user=user, undone_at__isnull=True, reviewed_at__gte=since)
    days = {_study_date(m, zone=zone, hour=hour) for m in moments.values_list("reviewed_at", flat=True)}
    started = bool(days) or StudyReview.objects.filter(user=user, undone_at__isnull=True).exists()
    home = LearnerHome(
        due=queue.learning + queue.review, new=queue.new, started=started, streak=study_streak(days, today),
        days_to_interview=(settings.interview_date - today).days if interview_active(settings=settings, today=today)
        else None,
        weakest=topics_by_recall(user=user, now=now)[:WEAKEST_TOPICS],
    )  # fmt: skip
    home.next_step = _next_step(home)
    return home


def _next_step(home: LearnerHome) -> NextStep:
    study = reverse("quiz:study")
    if not home.started and home.new:
        return NextStep("Start studying", study, f"Your first {home.new} cards are ready: about ten minutes.")
    if home.due or home.new:
        parts = [f"{home.due} due" if home.due else "", f"{home.new} new" if home.new else ""]
        return NextStep("Continue studying", study, " and ".join(p for p in parts if p) + " today.")
    if home.days_to_interview is not None:
        return NextStep("Practice a mock interview", reverse("quiz:interview_start"),
                        "Today's cards are done: rehearse answers out loud before the day.")  # fmt: skip
    card = _demo_for(home.weakest)
    if card is not None:
        from demos.kinds import KINDS

        title = KINDS[card.demo_slug].title
        return NextStep(f"Try the {title} demo", reverse("demos:detail", args=[card.demo_slug]),
                        f"Today's cards are done. See “{card.question.replace('`', '')}” at work on a real model.")  # fmt: skip
    return NextStep("Practice a mock interview", reverse("quiz:interview_start"), "Today's cards are done.")
