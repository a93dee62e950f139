"""Typed quiz answers are graded like interview answers: by the interview grader (``answer_grade``), on the worker,
because the grader runs the sentence encoder (torch) and the web process never loads it.

Answering queues the task once the row is committed; the question page polls until the grade is there and sends
the task again if nothing has happened after REQUEUE_AFTER (a message lost with a broker restart). The task grades
every typed answer of the quiz that has no grade yet, so running it twice is harmless.
"""

import logging
from datetime import datetime, timedelta

from django.utils import timezone

from quiz.bank.services.embeddings import Embedder
from quiz.exams.models import Quiz, QuizQuestion
from quiz.exams.services.grading import answers_grade

log = logging.getLogger(__name__)

GRADE_TASK = "quiz.quiz_typed_grade"  # the name queued messages carry: keep it stable
TYPED_PASS = 50  # a typed answer counts as right at this grader score (a thin but correct answer scores 35-65)
REQUEUE_AFTER = timedelta(seconds=15)
ERROR_GRADING = "Grading failed ({error}). Try again; your answer is kept."


def quiz_grade_enqueue(*, quiz_id: int) -> None:
    """Send grading to the worker; a broker that cannot be reached is retried by quiz_grade_nudge."""
    from quizsite.celery import app

    Quiz.objects.filter(pk=quiz_id).update(grading_queued_at=timezone.now())
    try:
        app.send_task(GRADE_TASK, args=[quiz_id])
    except Exception:
        log.exception("could not enqueue grading of quiz %s", quiz_id)


def _ungraded(quiz_id: int):
    return QuizQuestion.objects.filter(quiz_id=quiz_id, kind=QuizQuestion.Kind.TYPED, answered_at__isnull=False,
                                       graded_at__isnull=True)  # fmt: skip


def quiz_grading_pending(*, quiz: Quiz) -> bool:
    """Typed answers wait for a grade (those whose grading failed wait for the learner to try again)."""
    return _ungraded(quiz.pk).exclude(grade__has_key="error").exists()


def quiz_grade_retry(*, quiz: Quiz) -> None:
    """After a failure: forget the error and send grading again."""
    if _ungraded(quiz.pk).filter(grade__has_key="error").update(grade={}):
        quiz_grade_enqueue(quiz_id=quiz.pk)


def quiz_grade_nudge(*, quiz: Quiz, now: datetime | None = None) -> bool:
    """Send grading again when typed answers still wait REQUEUE_AFTER after they were last sent."""
    now = now or timezone.now()
    queued = Quiz.objects.filter(pk=quiz.pk).values_list("grading_queued_at", flat=True).first()
    if not quiz_grading_pending(quiz=quiz) or (queued and now - queued < REQUEUE_AFTER):
        return False
    quiz_grade_enqueue(quiz_id=quiz.pk)
    return True


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
