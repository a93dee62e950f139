"""Which queue each task goes to: the one table of task routes (settings: CELERY_TASK_ROUTES points here).

Queues by resource, each with its own worker, so a grading never waits behind a demo and a demo never waits behind
a batch of gradings:
- `demos`: the model demos (the GPU worker in compose; one process, `--pool=solo`, time limits by the watchdog);
- `cpu`: grading, bank embeddings, code exercises (a one-process prefork pool, which enforces
  Celery's time limits itself).

Imports neither Celery nor Django, so the settings and a test can read it. A task missing from the table goes to
the default queue (`demos`) — a test checks every registered task is listed.
"""

import os

QUEUE_DEMOS = "demos"
QUEUE_CPU = "cpu"
QUEUES = (QUEUE_DEMOS, QUEUE_CPU)

TASK_QUEUES = {
    "demos.run": QUEUE_DEMOS,
    "quiz.interview_grade": QUEUE_CPU,
    "quiz.quiz_typed_grade": QUEUE_CPU,
    "bank.embed": QUEUE_CPU,
    "exercises.run": QUEUE_CPU,
}

# Appended to every queue name. Empty in production; a test session sets its own so that sessions sharing one
# broker never take each other's messages (tests/live_worker.py).
queue_suffix = os.environ.get("CELERY_QUEUE_SUFFIX", "")


def queue_name(queue: str) -> str:
    return queue + queue_suffix


def task_queue(task_name: str) -> str:
    return queue_name(TASK_QUEUES.get(task_name, QUEUE_DEMOS))


def route_task(name, args, kwargs, options, task=None, **kw):
    """Celery router (CELERY_TASK_ROUTES): read at every send, so `queue_suffix` may change at run time."""
    return {"queue": task_queue(name)}
