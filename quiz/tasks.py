"""Celery tasks of the quiz app (thin: ids in, a service call; safe to run twice).

The worker must import this module: `app.autodiscover_tasks(["worker", "quiz"])` in quizsite/celery.py.
"""

from celery import shared_task

from quiz.services.study_optimize import fsrs_params_optimize_run


@shared_task(name="study.optimize", ignore_result=True, soft_time_limit=540, time_limit=600)
def study_optimize_task(user_id: int) -> None:
    fsrs_params_optimize_run(user_id=user_id)
