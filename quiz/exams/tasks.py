"""The exams app's worker tasks (thin: an id in, a service call). The encoder loads once per worker process."""

from celery import shared_task

from quiz.exams.services.interview import GRADE_TASK as INTERVIEW_GRADE_TASK
from quiz.exams.services.interview_report import interview_grade_run
from quiz.exams.services.quiz_grading import GRADE_TASK as QUIZ_GRADE_TASK
from quiz.exams.services.quiz_grading import quiz_grade_run
from quizsite.capacity import jobs_release


@shared_task(name=INTERVIEW_GRADE_TASK, ignore_result=True)
def interview_grade(interview_id: int) -> None:
    """Grade a finished mock interview; safe to run twice."""
    interview_grade_run(interview_id=interview_id)
    jobs_release()  # this learner's next held job, or another's: their share just freed up


@shared_task(name=QUIZ_GRADE_TASK, ignore_result=True)
def quiz_typed_grade(quiz_id: int) -> None:
    """Grade a quiz's typed answers; safe to run twice."""
    quiz_grade_run(quiz_id=quiz_id)
    jobs_release()
