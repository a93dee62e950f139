"""The exams app's worker tasks (thin: an id in, a service call)."""

from celery import shared_task

from quiz.exams.services.quiz_grading import GRADE_TASK, quiz_grade_run


@shared_task(name=GRADE_TASK, ignore_result=True)
def quiz_typed_grade(quiz_id: int) -> None:
    """Grade a quiz's typed answers (the encoder loads once per worker process); safe to run twice."""
    quiz_grade_run(quiz_id=quiz_id)
