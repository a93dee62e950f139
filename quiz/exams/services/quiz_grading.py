"""Typed quiz answers are graded like interview answers: by the interview grader (``answer_grade``), on the worker,
because the grader runs the sentence encoder (torch) and the web process never loads it.

Answering sends the task once the row is committed, if the learner's share of the workers allows
(quizsite/capacity.py: a quiz with answers waiting for a grade is one job); otherwise the quiz is held
(grading_queued_at empty) and sent as their earlier jobs finish. The question page polls until the grade is there,
and sends the task again if nothing has happened REQUEUE_AFTER after it was sent (a message lost with a broker
restart). A broker that cannot be reached holds the quiz again, at once: the sweep sends it once the broker is back.
The task grades every typed answer of the quiz that has no grade yet, so running it twice is harmless.
"""

import logging
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from quiz.bank.services.embeddings import Embedder
from quiz.exams.models import Quiz, QuizQuestion
from quiz.exams.services.grading import answers_grade
from quizsite.queueing import enqueue_on_commit

log = logging.getLogger(__name__)

GRADE_TASK = "quiz.quiz_typed_grade"  # the name queued messages carry: keep it stable
TYPED_PASS = 50  # a typed answer counts as right at this grader score (a thin but correct answer scores 35-65)
REQUEUE_AFTER = timedelta(seconds=15)
ERROR_GRADING = "Grading failed ({error}). Try again; your answer is kept."


def quiz_grade_enqueue(*, quiz_id: int) -> bool:
    """Send the grading of the quiz's typed answers to the cpu worker once this commits, or hold it for the
    learner's share of the workers (quizsite/capacity.py). Returns whether it was sent."""
    from quizsite.capacity import TYPED_GRADING, job_start

    return job_start(TYPED_GRADING, pk=quiz_id)


def quiz_grade_send(*, quiz_id: int) -> bool:
    Quiz.objects.filter(pk=quiz_id).update(grading_queued_at=timezone.now())
    enqueue_on_commit(GRADE_TASK, args=[quiz_id], on_failure=lambda: _grading_unqueued(quiz_id=quiz_id))
    return True


def _grading_unqueued(*, quiz_id: int) -> None:
    """The broker is away: held again (the page keeps polling), sent by the sweep once the broker is back."""
    Quiz.objects.filter(pk=quiz_id).update(grading_queued_at=None)


def _ungraded(quiz_id):
    return QuizQuestion.objects.filter(quiz_id=quiz_id, kind=QuizQuestion.Kind.TYPED, answered_at__isnull=False,
                                       graded_at__isnull=True)  # fmt: skip


def _awaiting(quiz_id):
    """The ungraded answers but those whose grading failed (they wait for the learner to try again)."""
    return _ungraded(quiz_id).exclude(grade__has_key="error")


def quizzes_awaiting_grades():
    """Quizzes with typed answers waiting for a grade: one grading job each, held or sent (grading_queued_at)."""
    return Quiz.objects.filter(Exists(_awaiting(OuterRef("pk"))))


def awaiting_since() -> Subquery:
    """When a quiz's oldest answer waiting for a grade was given (an annotation of `quizzes_awaiting_grades`)."""
    return Subquery(_awaiting(OuterRef("pk")).order_by("answered_at").values("answered_at")[:1])


def quiz_grading_pending(*, quiz: Quiz) -> bool:
    """Typed answers wait for a grade."""
    return _awaiting(quiz.pk).exists()


def quiz_grade_retry(*, quiz: Quiz) -> None:
    """After a failure: forget the error and send grading again."""
    if _ungraded(quiz.pk).filter(grade__has_key="error").update(grade={}):
        quiz_grade_enqueue(quiz_id=quiz.pk)


def quiz_grade_nudge(*, quiz: Quiz, now: datetime | None = None) -> bool:
    """Send grading again when typed answers still wait REQUEUE_AFTER after they were last sent. A held quiz goes
    by the learner's share, as when it was answered."""
    now = now or timezone.now()
    queued = Quiz.objects.filter(pk=quiz.pk).values_list("grading_queued_at", flat=True).first()
    if not quiz_grading_pending(quiz=quiz) or (queued and now - queued < REQUEUE_AFTER):
        return False
    if queued is None:
        return quiz_grade_enqueue(quiz_id=quiz.pk)
    return quiz_grade_send(quiz_id=quiz.pk)  # lost or late: a duplicate only finds the answers graded


def quiz_gradings_recover(*, now: datetime) -> int:
    """For the sweep (quizsite/capacity.py): gradings sent long ago whose answers still wait (the message was lost
    while nobody polled the page), held again, to be sent by budget. Returns how many."""
    lost = quizzes_awaiting_grades().filter(grading_queued_at__lt=now - REQUEUE_AFTER * 20)
    return lost.update(grading_queued_at=None)


def quiz_grade_run(*, quiz_id: int, embed: Embedder | None = None) -> int:
    """Grade the quiz's typed answers that have none yet (on the worker: the grader loads the encoder on its first
    call). Returns how many were graded."""
    pending = list(_ungraded(quiz_id).select_related("card"))
    if not pending:
        return 0
    try:
        grades = answers_grade([(question.response, question.card) for question in pending], embed=embed)
    except Exception as exc:  # noqa: BLE001 - the page must say so instead of waiting for ever
        log.exception("grading typed answers of quiz %s failed", quiz_id)
        error = ERROR_GRADING.format(error=f"{type(exc).__name__}: {exc}"[:300])
        _ungraded(quiz_id).update(grade={"error": error})
        return 0
    for question, grade in zip(pending, grades, strict=True):
        detail = {
            "covered": list(grade.covered), "missed": list(grade.missed), "explanation": grade.explanation,
            "contradicted": list(getattr(grade, "contradicted", [])),
        }  # fmt: skip
        QuizQuestion.objects.filter(pk=question.pk, graded_at__isnull=True).update(
            score=grade.score, correct=grade.score >= TYPED_PASS, grade=detail, graded_at=timezone.now())  # fmt: skip
    return len(pending)
