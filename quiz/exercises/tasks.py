"""The exercise run task (thin: an attempt id in, a service call). Routed to the `cpu` queue (settings)."""

from celery import shared_task


@shared_task(bind=True, name="exercises.run", ignore_result=True, acks_late=True)
def exercise_run_task(self, attempt_id: int) -> None:
    from quiz.exercises.services import exercise_run_execute

    exercise_run_execute(attempt_id=attempt_id, worker=self.request.hostname or "")
