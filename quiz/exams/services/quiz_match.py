"""Match, as in Quizlet's Match: pair six questions with six short answers against the clock.

The server's clock is the only clock: the board's time starts when it is first shown and stops when the last pair
is made; each wrong pairing adds PENALTY_SECONDS. The learner's best time is the least over their finished boards.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from quiz.exams.models import Quiz, QuizQuestion
from quiz.exams.services.quiz import QuizError

PENALTY_SECONDS = 1.0

ERROR_PAIR = "Pick one of this board's questions and one of its answers."
ERROR_TAKEN = "That answer is already paired."


@dataclass
class PairResult:
    right: bool
    finished: bool
    seconds: float | None  # the final time, once finished
    best: bool  # the final time is the learner's best


def match_open(*, quiz: Quiz, now: datetime | None = None) -> Quiz:
    """Start the clock the first time the board is shown (a reload keeps it running)."""
    if quiz.match_started_at is None:
        Quiz.objects.filter(pk=quiz.pk, match_started_at__isnull=True).update(match_started_at=now or timezone.now())
        quiz.refresh_from_db(fields=["match_started_at"])
    return quiz


def match_elapsed(*, quiz: Quiz, now: datetime | None = None) -> float:
    """Seconds on the clock, penalties included: the final time once the board is done."""
    if quiz.match_seconds is not None:
        return quiz.match_seconds
    if quiz.match_started_at is None:
        return 0.0
    running = ((now or timezone.now()) - quiz.match_started_at).total_seconds()
    return round(max(running, 0.0) + PENALTY_SECONDS * quiz.match_mistakes, 1)


def match_best(*, user, exclude: Quiz | None = None) -> float | None:
    """The user's best finished time (None before their first finished board)."""
    rows = Quiz.objects.filter(user=user, format=Quiz.Format.MATCH, match_seconds__isnull=False)
    if exclude is not None:
        rows = rows.exclude(pk=exclude.pk)
    return rows.aggregate(best=Min("match_seconds"))["best"]


@transaction.atomic
def match_pair(*, quiz: Quiz, position: int, choice: int, now: datetime | None = None) -> PairResult:
    """Pair question ``position`` with answer ``choice`` of the board. A wrong pairing costs a penalty second and
    marks that question missed (it goes to the study deck); pairing a question already matched changes nothing."""
    now = now or timezone.now()
    quiz = Quiz.objects.select_for_update().get(pk=quiz.pk)
    rows = {q.position: q for q in quiz.questions.filter(kind=QuizQuestion.Kind.MATCH)}
    question = rows.get(position)
    if question is None or not 0 <= choice < len(question.options):
        raise QuizError(ERROR_PAIR)
    if quiz.match_seconds is not None or question.answered_at is not None:
        return PairResult(right=question.chosen_index == choice, finished=quiz.match_seconds is not None,
                          seconds=quiz.match_seconds, best=False)  # fmt: skip
    if any(other.chosen_index == choice for other in rows.values() if other.answered_at):
        raise QuizError(ERROR_TAKEN)
    if quiz.match_started_at is None:  # paired without the board (the API): the clock starts now
        quiz.match_started_at = now
    right = choice == question.correct_index
    if right:
        question.chosen_index, question.answered_at = choice, now
        question.correct = question.mistakes == 0
        question.save(update_fields=["chosen_index", "answered_at", "correct"])
    else:
        question.mistakes += 1
        question.save(update_fields=["mistakes"])
        quiz.match_mistakes += 1
    finished = all(q.answered_at for q in rows.values())
    best = False
    if finished:
        before = match_best(user=quiz.user, exclude=quiz)
        quiz.finished_at = now
        quiz.match_seconds = round((now - quiz.match_started_at).total_seconds()
                                   + PENALTY_SECONDS * quiz.match_mistakes, 1)  # fmt: skip
        best = before is None or quiz.match_seconds < before
    quiz.save(update_fields=["match_started_at", "match_mistakes", "finished_at", "match_seconds"])
    return PairResult(right=right, finished=finished, seconds=quiz.match_seconds, best=best)
