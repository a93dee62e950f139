"""Timed mock interviews: start, autosave, submit, skip, flag, finish. The server's clock is the only clock.

Rules kept here (the pages only display them):
  * ``deadline`` is stored at start; the remaining time is always computed from it, so a reload resumes the timer.
  * An answer is *late* when the text that will be graded reached the server after the deadline. Late answers are
    graded (so the candidate sees feedback) but count 0 in the overall score.
  * Autosave is idempotent and ordered by the client's revision number: a retried or delayed older save never
    overwrites a newer one.
  * Time spent on a question is the time it was the open question, cut off at the deadline.
"""

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from quiz.bank.models import Card
from quiz.exams.models import Interview, InterviewAnswer
from quiz.exams.services.grading import MAX_ANSWER_CHARS
from quizsite.queueing import enqueue_on_commit

QUESTION_CHOICES = (2, 3, 5, 8, 10)
MINUTES_CHOICES = (1, 5, 10, 15, 20, 30, 45)
MIX_WEIGHTS = {  # share of easy, medium, hard cards
    Interview.Mix.BALANCED: {1: 1, 2: 1, 3: 1},
    Interview.Mix.EASIER: {1: 3, 2: 2, 3: 0},
    Interview.Mix.HARDER: {1: 0, 2: 2, 3: 3},
}
GRADE_TASK = "quiz.interview_grade"
REQUEUE_AFTER = timedelta(seconds=15)  # grading not started this long after it was sent: send it again

ERROR_NO_CARDS = "No cards match these topics. Choose other topics or leave them all unticked."
ERROR_QUEUE_UNREACHABLE = "The task queue could not be reached, so grading did not start. Try again shortly."
ERROR_CLOSED = "This interview is over: answers can no longer be changed."
ERROR_POSITION = "There is no such question in this interview."
MESSAGE_CAPPED = (
    f"Your answer was longer than {MAX_ANSWER_CHARS:,} characters: only the first {MAX_ANSWER_CHARS:,} were kept."
)
MESSAGE_LATE = "Time was up: this answer reached the server after the deadline and is marked late."


class InterviewError(ValueError):
    """A request the user can correct; the message is shown as is."""


@dataclass
class SaveResult:
    answer: InterviewAnswer
    changed: bool = False  # the stored text changed
    stale: bool = False  # an older revision than the one stored: ignored
    capped: bool = False  # the text was cut to MAX_ANSWER_CHARS
    late: bool = False  # the stored text changed after the deadline


# --- Start -------------------------------------------------------------------------------------------------------


def interview_cards_pick(*, topics: list[str], count: int, mix: str, rng: random.Random) -> list[Card]:
    """``count`` distinct cards from the topics (all when empty), split over difficulties by the mix's weights;
    a difficulty with too few cards is made up from the others."""
    pool = (
        Card.objects.in_use().select_related("topic").exclude(answer="")
    )  # imported cards may have no answer to grade by
    if topics:
        pool = pool.filter(topic__slug__in=topics)
    by_level: dict[int, list[Card]] = {1: [], 2: [], 3: []}
    for card in pool:
        by_level.setdefault(card.difficulty, []).append(card)
    for cards in by_level.values():
        rng.shuffle(cards)
    weights = MIX_WEIGHTS[Interview.Mix(mix)]
    total = sum(weights.values())
    picked = []
    for level, weight in weights.items():
        want = round(count * weight / total)
        picked += by_level[level][:want]
        by_level[level] = by_level[level][want:]
    rest = [card for level in sorted(weights, key=lambda lvl: -weights[lvl]) for card in by_level[level]]
    picked = (picked + rest)[:count]
    rng.shuffle(picked)
    return picked


@transaction.atomic
def interview_start(*, user, topics: list[str], questions: int, minutes: int, mix: str = Interview.Mix.BALANCED,
                    rng: random.Random | None = None, now: datetime | None = None) -> Interview:  # fmt: skip
    now = now or timezone.now()
    cards = interview_cards_pick(topics=topics, count=questions, mix=mix, rng=rng or random.Random())
    if not cards:
        raise InterviewError(ERROR_NO_CARDS)
    interview = Interview.objects.create(
        user=user, topics=list(topics), mix=mix, minutes=minutes, started_at=now,
        deadline=now + timedelta(minutes=minutes), current_since=now,
    )  # fmt: skip
    InterviewAnswer.objects.bulk_create(
        InterviewAnswer(interview=interview, position=position, card=card) for position, card in enumerate(cards)
    )
    return interview


# --- While it runs -----------------------------------------------------------------------------------------------


def _locked(interview: Interview, position: int | None = None) -> tuple[Interview, InterviewAnswer | None]:
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not interview.is_open:
        raise InterviewError(ERROR_CLOSED)
    if position is None:
        return interview, None
    answer = interview.answers.filter(position=position).first()
    if answer is None:
        raise InterviewError(ERROR_POSITION)
    return interview, answer


def _time_account(interview: Interview, now: datetime) -> None:
    """Credit the open question with the time since it was opened (never past the deadline)."""
    until = min(now, interview.deadline)
    seconds = round((until - interview.current_since).total_seconds())
    if seconds > 0:
        answer = interview.answers.get(position=interview.current_position)
        answer.time_spent += seconds
        answer.save(update_fields=["time_spent"])
    interview.current_since = max(now, interview.current_since)


def _text_store(interview: Interview, answer: InterviewAnswer, text: str, rev: int | None, now: datetime) -> SaveResult:
    text = (text or "").replace("\r\n", "\n")
    capped = len(text) > MAX_ANSWER_CHARS
    text = text[:MAX_ANSWER_CHARS]
    if rev is not None and rev < answer.text_rev:
        return SaveResult(answer=answer, stale=True, capped=capped, late=answer.late)
    changed = text != answer.text
    if changed:
        answer.text, answer.text_saved_at = text, now
        answer.late = now > interview.deadline
    if rev is not None:
        answer.text_rev = rev
    return SaveResult(answer=answer, changed=changed, capped=capped, late=answer.late)


@transaction.atomic
def interview_open(*, interview: Interview, position: int, now: datetime | None = None) -> Interview:
    """Make ``position`` the open question (a reload of the open one changes nothing)."""
    now = now or timezone.now()
    interview, _answer = _locked(interview, position)
    if position != interview.current_position:
        _time_account(interview, now)
        interview.current_position, interview.current_since = position, now
        interview.save(update_fields=["current_position", "current_since"])
    return interview


@transaction.atomic
def interview_answer_save(*, interview: Interview, position: int, text: str, rev: int | None = None,
                          now: datetime | None = None) -> SaveResult:  # fmt: skip
    """Autosave a draft. Safe to repeat; an older ``rev`` than the stored one is ignored."""
    now = now or timezone.now()
    interview, answer = _locked(interview, position)
    result = _text_store(interview, answer, text, rev, now)
    if not result.stale:
        answer.save(update_fields=["text", "text_saved_at", "text_rev", "late"])
    return result


@transaction.atomic
def interview_answer_submit(*, interview: Interview, position: int, text: str, rev: int | None = None,
                            now: datetime | None = None) -> SaveResult:  # fmt: skip
    """Store the final text of an answer (late if it arrives after the deadline) and open the next open question."""
    now = now or timezone.now()
    interview, answer = _locked(interview, position)
    result = _text_store(interview, answer, text, rev, now)
    if result.changed or answer.submitted_at is None:
        answer.submitted_at = now
    answer.skipped = False
    answer.save()
    _next_open(interview, after=position, now=now)
    return result


@transaction.atomic
def interview_answer_skip(*, interview: Interview, position: int, text: str = "", rev: int | None = None,
                          now: datetime | None = None) -> SaveResult:  # fmt: skip
    """Move on without submitting (the draft is kept, and graded if the interview ends with it)."""
    now = now or timezone.now()
    interview, answer = _locked(interview, position)
    result = _text_store(interview, answer, text, rev, now)
    answer.skipped = answer.submitted_at is None
    answer.save()
    _next_open(interview, after=position, now=now)
    return result


@transaction.atomic
def interview_answer_flag(*, interview: Interview, position: int, flagged: bool = True) -> InterviewAnswer:
    _interview, answer = _locked(interview, position)
    answer.flagged = flagged
    answer.save(update_fields=["flagged"])
    return answer


def _next_open(interview: Interview, *, after: int, now: datetime) -> None:
    """Open the next question without a submitted answer (skipped ones last); stay put when none is left."""
    answers = list(interview.answers.order_by("position"))
    ring = answers[after + 1 :] + answers[: after + 1]
    fresh = [a for a in ring if a.submitted_at is None and not a.skipped]
    skipped = [a for a in ring if a.submitted_at is None and a.skipped and a.position != after]
    target = (fresh or skipped or [None])[0]
    if target is not None and target.position != interview.current_position:
        _time_account(interview, now)
        interview.current_position, interview.current_since = target.position, now
        interview.save(update_fields=["current_position", "current_since"])


# --- Finish ------------------------------------------------------------------------------------------------------


@transaction.atomic
def interview_finish(*, interview: Interview, now: datetime | None = None) -> Interview:
    """End the interview (early, or at the deadline) and queue its grading once this commits. Idempotent."""
    now = now or timezone.now()
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if not interview.is_open:
        return interview
    _time_account(interview, now)
    for answer in interview.answers.filter(submitted_at__isnull=True).exclude(text=""):
        answer.submitted_at = answer.text_saved_at  # an autosaved draft counts as given when it was saved
        answer.save(update_fields=["submitted_at"])
    interview.status, interview.finished_at = Interview.Status.GRADING, now
    interview.save(update_fields=["status", "finished_at", "current_since"])
    interview_grade_enqueue(interview_id=interview.pk)
    return interview


def interviews_finish_overdue(*, user=None, now: datetime | None = None) -> int:
    """Finish interviews whose deadline has passed while nobody was on the page (e.g. the tab was closed)."""
    now = now or timezone.now()
    rows = Interview.objects.filter(status=Interview.Status.IN_PROGRESS, deadline__lt=now)
    if user is not None:
        rows = rows.filter(user=user)
    count = 0
    for interview in rows:
        interview_finish(interview=interview, now=now)
        count += 1
    return count


def interview_grade_enqueue(*, interview_id: int) -> bool:
    """Send the grading task to the cpu worker once this commits, if the learner's share of the workers allows
    (quizsite/capacity.py); otherwise hold it (grading_queued_at empty) until their earlier jobs finish. Returns
    whether it was sent. A broker that cannot be reached fails the grading with a message; the sweep re-sends it."""
    from quizsite.capacity import INTERVIEW_GRADING, job_start

    return job_start(INTERVIEW_GRADING, pk=interview_id)


def interview_grade_send(*, interview_id: int) -> bool:
    Interview.objects.filter(pk=interview_id).update(grading_queued_at=timezone.now())
    enqueue_on_commit(GRADE_TASK, args=[interview_id], on_failure=lambda: _grading_unqueued(interview_id=interview_id))
    return True


def _grading_unqueued(*, interview_id: int) -> None:
    Interview.objects.filter(pk=interview_id, status=Interview.Status.GRADING).update(
        status=Interview.Status.FAILED, grading_error=ERROR_QUEUE_UNREACHABLE
    )


def interview_gradings_recover(*, now: datetime) -> int:
    """For the sweep (quizsite/capacity.py): gradings the broker never took (it was away: the interview says so) or
    lost, held again, to be sent by budget. Returns how many."""
    unqueued = Interview.objects.filter(status=Interview.Status.FAILED, grading_error=ERROR_QUEUE_UNREACHABLE)
    count = unqueued.update(status=Interview.Status.GRADING, grading_error="", grading_queued_at=None)
    lost = Interview.objects.filter(status=Interview.Status.GRADING, graded_count=0,
                                    grading_queued_at__lt=now - REQUEUE_AFTER * 20)  # fmt: skip
    return count + lost.update(grading_queued_at=None)


def interview_grade_nudge(*, interview: Interview, now: datetime | None = None) -> bool:
    """Send grading again when it has not started REQUEUE_AFTER after it was sent (a message lost with a broker
    restart or purge). Harmless when the first one is merely late: the task skips what is graded."""
    now = now or timezone.now()
    queued = interview.grading_queued_at
    if (
        interview.status != Interview.Status.GRADING
        or interview.graded_count
        or (queued and now - queued < REQUEUE_AFTER)
    ):
        return False
    if queued is None:  # held for the learner's share: released by budget, not by a page poll
        return interview_grade_enqueue(interview_id=interview.pk)
    return interview_grade_send(interview_id=interview.pk)  # lost or late: a duplicate only finds it graded


@transaction.atomic
def interview_grade_retry(*, interview: Interview) -> Interview:
    """Queue grading again after a failure or a lost task; answers already graded are kept."""
    interview = Interview.objects.select_for_update().get(pk=interview.pk)
    if interview.status in (Interview.Status.GRADING, Interview.Status.FAILED):
        interview.status, interview.grading_error = Interview.Status.GRADING, ""
        interview.save(update_fields=["status", "grading_error"])
        interview_grade_enqueue(interview_id=interview.pk)
    return interview
