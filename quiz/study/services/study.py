"""Spaced-repetition writes: answer a card with FSRS, undo, suspend, bury, and add cards from elsewhere.

Scheduling is the ``fsrs`` library's; this module only stores its Card per user and card, logs each answer,
and applies the house rules around it (day boundary, leeches, idempotent submits).
"""

import threading
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from random import Random
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import fsrs.scheduler as fsrs_scheduler
from django.db import IntegrityError, transaction
from django.utils import timezone
from fsrs import Card as FsrsCard
from fsrs import Rating, Scheduler

from quiz.bank.models import Card
from quiz.study.models import StudyCard, StudyFlag, StudyReview, StudySettings
from quiz.study.services.interview_plan import interview_cap, review_load

State = StudyCard.State
RATINGS = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
LEECH_REPEAT = 4  # after the threshold, every 4 more lapses flags the card again (Anki's rule)

ERROR_RATING = "Rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."
DURATION_MAX_MS = 3_600_000
ERROR_DURATION = f"The answer time must be 0 to {DURATION_MAX_MS} ms."
ERROR_NO_CARD = "No such card."
ERROR_UNDO_NOT_LAST = "Only the most recent answer can be undone."


class StudyError(ValueError):
    """A request the user can correct; the message is shown as is."""


# --- Settings, scheduler, day boundary -------------------------------------------------------------------------


def study_settings_get(*, user) -> StudySettings:
    try:
        return user.study_settings
    except StudySettings.DoesNotExist:
        settings, _ = StudySettings.objects.get_or_create(user=user)
        user.study_settings = settings
        return settings


_FUZZ_LOCK = threading.Lock()


class SeededScheduler(Scheduler):
    """fsrs's Scheduler with its fuzz drawn from a seed (Anki seeds it from the card), so the interval shown on
    a button before answering is exactly the one the answer then gives. Everything else is the library's."""

    fuzz_seed: str = ""

    def _get_fuzzed_interval(self, *, interval: timedelta) -> timedelta:
        # fsrs calls the module-level random(); swap in a seeded one for this call only.
        with _FUZZ_LOCK:
            original = fsrs_scheduler.random
            fsrs_scheduler.random = Random(self.fuzz_seed).random
            try:
                return super()._get_fuzzed_interval(interval=interval)
            finally:
                fsrs_scheduler.random = original


def study_scheduler(*, settings: StudySettings) -> SeededScheduler:
    kwargs = {}
    if settings.parameters:
        kwargs["parameters"] = settings.parameters
    return SeededScheduler(
        desired_retention=settings.desired_retention,
        learning_steps=[timedelta(seconds=s) for s in settings.learning_steps],
        relearning_steps=[timedelta(seconds=s) for s in settings.relearning_steps],
        maximum_interval=settings.maximum_interval,
        enable_fuzzing=settings.enable_fuzzing,
        **kwargs,
    )


def study_zone(*, settings: StudySettings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def study_day_bounds(*, settings: StudySettings, now: datetime | None = None) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the user's study day: from day_start_hour local time to the same hour next day."""
    zone = study_zone(settings=settings)
    local = (now or timezone.now()).astimezone(zone)
    start = local.replace(hour=settings.day_start_hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    end = start + timedelta(days=1)  # wall-clock arithmetic: a DST day is 23 or 25 hours long
    return start.astimezone(UTC), end.astimezone(UTC)


def study_today(*, settings: StudySettings, now: datetime | None = None):
    """The user's current study day, as a local date."""
    return study_day_bounds(settings=settings, now=now)[0].astimezone(study_zone(settings=settings)).date()


# --- Card state ------------------------------------------------------------------------------------------------


def _new_fsrs_card(*, card_id: int, now: datetime) -> FsrsCard:
    return FsrsCard(card_id=card_id, due=now)


def _fsrs_card(study_card: StudyCard) -> FsrsCard:
    return FsrsCard.from_dict(study_card.fsrs)


def _seed(study_card: StudyCard) -> str:
    return f"{study_card.card_id}:{study_card.reps}"


def _snapshot(study_card: StudyCard) -> dict:
    return {
        "fsrs": study_card.fsrs,
        "state": study_card.state,
        "due": study_card.due.isoformat(),
        "stability": study_card.stability,
        "difficulty": study_card.difficulty,
        "reps": study_card.reps,
        "lapses": study_card.lapses,
        "is_leech": study_card.is_leech,
        "suspended": study_card.suspended,
        "buried_until": study_card.buried_until.isoformat() if study_card.buried_until else None,
    }


def _restore(study_card: StudyCard, snapshot: dict) -> None:
    for field, value in snapshot.items():
        if field in {"due", "buried_until"} and value:
            value = datetime.fromisoformat(value)
        setattr(study_card, field, value)


def _apply_fsrs(study_card: StudyCard, fcard: FsrsCard) -> None:
    study_card.fsrs = fcard.to_dict()
    study_card.state = int(fcard.state)
    study_card.due = fcard.due
    study_card.stability = fcard.stability
    study_card.difficulty = fcard.difficulty


def study_card_previews(*, settings: StudySettings, study_card: StudyCard | None, card_id: int,
                        now: datetime | None = None) -> dict[int, timedelta]:  # fmt: skip
    """The interval each rating would give now, computed by the same scheduler the answer will use."""
    now = now or timezone.now()
    scheduler = study_scheduler(settings=settings)
    if study_card is None or study_card.state == State.NEW:
        fcard, scheduler.fuzz_seed = _new_fsrs_card(card_id=card_id, now=now), f"{card_id}:0"
    else:
        fcard, scheduler.fuzz_seed = _fsrs_card(study_card), _seed(study_card)
    previews, topic, load, zone = {}, "", None, study_zone(settings=settings)
    if settings.interview_date is not None:  # the same day the answer will pick (same load, this card left out)
        topic = Card.objects.filter(pk=card_id).values_list("topic__slug", flat=True).first() or ""
        load = review_load(user=settings.user, settings=settings, zone=zone,
                           exclude_pk=study_card.pk if study_card else None)  # fmt: skip
    for rating in Rating:
        after = scheduler.review_card(fcard, rating, now)[0]
        if load is not None:
            after = interview_cap(user=settings.user, settings=settings, fcard=after, topic_slug=topic, now=now,
                                  zone=zone, load=load)  # fmt: skip
        previews[int(rating)] = after.due - now
    return previews


def interval_label(delta: timedelta) -> str:
    """Anki-style short interval: 45s, 10m, 3h, 4d, 1.5mo, 2.1y."""
    seconds = max(delta.total_seconds(), 0)
    if seconds < 60:
        return f"{round(seconds)}s"
    if seconds < 3600:
        return f"{round(seconds / 60)}m"
    if seconds < 86400:
        return f"{round(seconds / 3600)}h"
    days = seconds / 86400
    if days < 30:
        return f"{round(days)}d"
    if days < 365:
        return f"{days / 30:.1f}mo".replace(".0mo", "mo")
    return f"{days / 365:.1f}y".replace(".0y", "y")


def _study_card_for_update(*, user, card_id: int, now: datetime, insert: bool = True) -> StudyCard:
    """The user's row for the card, locked for this transaction; made (as new) on first use.

    insert=False leaves a new row unsaved, for a caller that saves it anyway (one INSERT instead of two writes)."""
    study_card = StudyCard.objects.select_for_update().filter(user=user, card_id=card_id).first()
    if study_card is not None:
        return study_card
    if not Card.objects.filter(pk=card_id).exists():
        raise StudyError(ERROR_NO_CARD)
    # A row this transaction inserts is its own until commit; a concurrent insert of the same row raises
    # IntegrityError, which card_review answers by trying once more (the row then exists).
    fsrs_card = _new_fsrs_card(card_id=card_id, now=now).to_dict()
    study_card = StudyCard(user=user, card_id=card_id, fsrs=fsrs_card, due=now)
    if insert:
        study_card.save(force_insert=True)
    return study_card


# --- Answering -------------------------------------------------------------------------------------------------


@dataclass
class ReviewResult:
    review: StudyReview
    duplicate: bool = False  # the same review id was already stored: nothing changed
    leech: bool = False  # this answer made the card a leech (it is now suspended)


def card_review(*, user, card_id: int, rating: int, review_id: uuid.UUID | str, duration_ms: int | None = None,
                now: datetime | None = None) -> ReviewResult:  # fmt: skip
    """Answer a card. Idempotent by ``review_id``: a retried or doubled submit returns the first result."""
    if rating not in RATINGS:
        raise StudyError(ERROR_RATING)
    if duration_ms is not None and not 0 <= duration_ms <= DURATION_MAX_MS:
        raise StudyError(ERROR_DURATION)
    review_id = uuid.UUID(str(review_id))
    try:
        return _card_review(user=user, card_id=card_id, rating=rating, review_id=review_id,
                            duration_ms=duration_ms, now=now or timezone.now())  # fmt: skip
    except IntegrityError:
        # The review id is already stored (a resend: nothing of this attempt was kept), or a concurrent first
        # answer made the card's row first.
        existing = StudyReview.objects.filter(user=user, review_id=review_id).first()
        if existing is not None:
            return ReviewResult(review=existing, duplicate=True)
        return _card_review(user=user, card_id=card_id, rating=rating, review_id=review_id,
                            duration_ms=duration_ms, now=now or timezone.now())  # fmt: skip


@transaction.atomic
def _card_review(*, user, card_id, rating, review_id, duration_ms, now) -> ReviewResult:
    settings = study_settings_get(user=user)
    study_card = _study_card_for_update(user=user, card_id=card_id, now=now, insert=False)
    # No lookup of review_id here: a resend (sequential or concurrent) fails the unique (user, review_id)
    # insert at the end, which rolls this whole transaction back, and card_review answers with the first.
    before = _snapshot(study_card)
    state_before = study_card.state
    fcard = _fsrs_card(study_card)
    interval_before = None
    if state_before != State.NEW and fcard.last_review:
        interval_before = (fcard.due - fcard.last_review).total_seconds() / 86400
    scheduler = study_scheduler(settings=settings)
    scheduler.fuzz_seed = _seed(study_card)
    fcard, _log = scheduler.review_card(fcard, Rating(rating), now, duration_ms)
    if settings.interview_date is not None:
        topic = Card.objects.filter(pk=card_id).values_list("topic__slug", flat=True).first() or ""
        fcard = interview_cap(user=user, settings=settings, fcard=fcard, topic_slug=topic, now=now,
                              zone=study_zone(settings=settings), exclude_pk=study_card.pk)  # fmt: skip

    _apply_fsrs(study_card, fcard)
    study_card.reps += 1
    leech = False
    if state_before == State.REVIEW and rating == Rating.Again:
        study_card.lapses += 1
        over = study_card.lapses - settings.leech_threshold
        if over >= 0 and over % LEECH_REPEAT == 0:
            study_card.is_leech = study_card.suspended = leech = True
    study_card.buried_until = None
    study_card.save()
    review = StudyReview.objects.create(
        user=user, card_id=card_id, study_card=study_card, review_id=review_id, rating=rating, reviewed_at=now,
        duration_ms=duration_ms, state_before=state_before, interval_before=interval_before, before=before,
        state_after=study_card.state, due_after=study_card.due,
    )  # fmt: skip
    return ReviewResult(review=review, leech=leech)


@transaction.atomic
def card_review_undo(*, user, review_id: uuid.UUID | str | None = None, now: datetime | None = None):
    """Undo the user's most recent answer, restoring the card exactly; returns the undone review or None.

    With ``review_id``, undoing a review that is already undone is a no-op (a doubled undo counts once)."""
    last = StudyReview.objects.select_for_update().filter(user=user, undone_at__isnull=True)
    last = last.order_by("-reviewed_at", "-id").first()
    if review_id is not None:
        target = StudyReview.objects.filter(user=user, review_id=uuid.UUID(str(review_id))).first()
        if target is None:
            raise StudyError(ERROR_NO_CARD)
        if target.undone_at:
            return target
        if last is None or target.pk != last.pk:
            raise StudyError(ERROR_UNDO_NOT_LAST)
    if last is None:
        return None
    study_card = StudyCard.objects.select_for_update().get(pk=last.study_card_id)
    _restore(study_card, last.before)
    study_card.save()
    last.undone_at = now or timezone.now()
    last.save(update_fields=["undone_at"])
    return last


# --- Suspend, bury, add ----------------------------------------------------------------------------------------


@transaction.atomic
def card_suspend(*, user, card_id: int, suspended: bool = True) -> StudyCard:
    study_card = _study_card_for_update(user=user, card_id=card_id, now=timezone.now())
    study_card.suspended = suspended  # a leech keeps its flag, like Anki's tag, when unsuspended
    study_card.save(update_fields=["suspended"])
    return study_card


@transaction.atomic
def card_bury(*, user, card_id: int, buried: bool = True, now: datetime | None = None) -> StudyCard:
    """Hide the card until the user's next study day starts."""
    now = now or timezone.now()
    study_card = _study_card_for_update(user=user, card_id=card_id, now=now)
    settings = study_settings_get(user=user)
    study_card.buried_until = study_day_bounds(settings=settings, now=now)[1] if buried else None
    study_card.save(update_fields=["buried_until"])
    return study_card


@transaction.atomic
def cards_add_to_study(*, user, card_ids, due_now: bool = True, source: str = StudyFlag.Source.MANUAL,
                       now: datetime | None = None) -> int:  # fmt: skip
    """Put cards into the user's deck (for other features, e.g. cards failed in a mock interview).

    Each card gets a ``StudyFlag(source)`` (a deck filter). Unseen cards join the front of the new queue;
    with ``due_now`` seen cards become due now, and suspended or buried ones come back. Returns the count."""
    now = now or timezone.now()
    card_ids = list(Card.objects.filter(pk__in=list(card_ids)).values_list("pk", flat=True))
    for card_id in card_ids:
        StudyFlag.objects.get_or_create(user=user, card_id=card_id, source=source)
        study_card = _study_card_for_update(user=user, card_id=card_id, now=now)
        if not due_now:
            continue
        if study_card.state != State.NEW:
            fcard = _fsrs_card(study_card)
            fcard.due = now
            _apply_fsrs(study_card, fcard)
        study_card.suspended, study_card.buried_until = False, None
        study_card.save()
    return len(card_ids)


@transaction.atomic
def study_cards_merge(*, old_slug: str, into_slug: str) -> int:
    """After the bank merged one card into another: learners who studied the old card and not the new one keep
    their schedule, review history and deck flags on the new card. Returns how many learners moved."""
    old = Card.objects.filter(slug=old_slug).first()
    into = Card.objects.filter(slug=into_slug).first()
    if old is None or into is None:
        return 0
    studied_both = StudyCard.objects.filter(card=into).values("user_id")
    movers = StudyCard.objects.filter(card=old).exclude(user_id__in=studied_both)
    users = list(movers.values_list("user_id", flat=True))
    StudyReview.objects.filter(card=old, user_id__in=users).update(card=into)
    flagged = StudyFlag.objects.filter(card=into).values("user_id")
    StudyFlag.objects.filter(card=old, user_id__in=users).exclude(user_id__in=flagged).update(card=into)
    movers.update(card=into)
    return len(users)


def study_new_extend(*, user, count: int = 10, now: datetime | None = None) -> StudySettings:
    """Raise today's new-card limit by ``count`` (Anki's custom study "increase today's new card limit")."""
    settings = study_settings_get(user=user)
    today = study_today(settings=settings, now=now)
    settings.extra_new = (settings.extra_new if settings.extra_new_day == today else 0) + max(count, 0)
    settings.extra_new_day = today
    settings.save(update_fields=["extra_new", "extra_new_day", "updated_at"])
    return settings
