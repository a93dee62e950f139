"""The exercise run task (thin: an attempt id in, a service call), routed to the cpu queue (quizsite/routing.py)."""

import logging
import threading

from celery import shared_task
from celery.signals import worker_ready

from quiz.exercises.services import RUN_TASK, exercise_run_execute
from quizsite.capacity import jobs_release
from quizsite.routing import task_queue

log = logging.getLogger(__name__)


@shared_task(bind=True, name=RUN_TASK, ignore_result=True, acks_late=True)
def exercise_run_task(self, attempt_id: int) -> None:
    exercise_run_execute(attempt_id=attempt_id, worker=self.request.hostname or "")
    jobs_release()  # this learner's next held job, or another's: their share just freed up


def _warm_up() -> None:
    from worker.sandbox import SandboxUnavailable, sandbox_unavailable_reason, sandbox_warm_up

    if sandbox_unavailable_reason():
        log.warning("exercise sandbox unavailable: %s", sandbox_unavailable_reason())
        return
    try:
        sandbox_warm_up()
    except SandboxUnavailable:
        log.exception("the exercise sandbox did not start")
        return
    # bwrap runs with --die-with-parent, whose signal fires when the *thread* that started it ends: this thread
    # must outlive the sandbox, so it waits for the process to exit (it is a daemon thread).
    threading.Event().wait()


@worker_ready.connect
def exercise_sandbox_warm_up(sender, **kwargs):
    """A worker that consumes the exercises queue starts its sandbox (torch imported) in the background at once."""
    queues = {queue.name for queue in getattr(sender.task_consumer, "queues", [])}
    if task_queue(RUN_TASK) in queues:
        threading.Thread(target=_warm_up, name="exercise-sandbox-warm-up", daemon=True).start()
