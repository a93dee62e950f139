"""The exams app's worker task: grade a finished mock interview (thin: an id in, a service call)."""

from celery import shared_task

from quiz.exams.services.interview import GRADE_TASK
from quiz.exams.services.interview_report import interview_grade_run
from quizsite.capacity import gradings_release


@shared_task(name=GRADE_TASK, ignore_result=True)
def interview_grade(interview_id: int) -> None:
    """Grade a finished mock interview (the encoder loads once per worker process); safe to run twice."""
    interview_grade_run(interview_id=interview_id)
    gradings_release()  # this learner's next held grading, or another's: their share just freed up
