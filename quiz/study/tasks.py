"""The study app's worker task: fit a user's FSRS parameters (thin: an id in, a service call)."""

from celery import shared_task

from quiz.services.study_optimize import OPTIMIZE_TASK, fsrs_params_optimize_run


@shared_task(name=OPTIMIZE_TASK, ignore_result=True, soft_time_limit=540, time_limit=600)
def study_optimize_task(user_id: int) -> None:
    """Fit the user's FSRS parameters to their own reviews; safe to run twice."""
    fsrs_params_optimize_run(user_id=user_id)
