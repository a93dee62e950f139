"""One way to hand work to the worker: by task name, once the row it names is committed.

By name (`app.send_task`), so a service never imports its task module (the task module imports the service) and
the web process never imports model code. After commit, so the worker never reads a row that is not there yet.
A broker that cannot be reached is given settings.BROKER_CONNECT_TIMEOUT (half a second) and no retry, not
Celery's default minutes of retries: the request answers within a second, and `on_failure` records on the row why
nothing runs yet (the periodic sweep, quizsite/capacity.py, sends it again once the broker is back). Results are
ignored at send time too: the Redis result backend would otherwise subscribe to the task's result channel inside
the request, and retry its connection there for ~20 s when Redis is away.
"""

import logging
from collections.abc import Callable, Sequence

from django.db import transaction

log = logging.getLogger(__name__)


def enqueue_now(task: str, *, args: Sequence = (), task_id: str | None = None, queue: str | None = None,
                on_failure: Callable[[], None] | None = None) -> bool:  # fmt: skip
    """Send `task` (its registered name) now; False, after logging and calling `on_failure`, if the broker is away.
    Its queue comes from the routing table (quizsite/routing.py); `queue` overrides it."""
    from quizsite.celery import app

    options = {"queue": queue} if queue else {}
    try:
        app.send_task(task, args=list(args), task_id=task_id, retry=False, ignore_result=True, **options)
    except Exception:
        log.exception("could not enqueue %s %s", task, list(args))
        if on_failure is not None:
            on_failure()
        return False
    return True


def enqueue_on_commit(task: str, *, args: Sequence = (), task_id: str | None = None, queue: str | None = None,
                      on_failure: Callable[[], None] | None = None) -> None:  # fmt: skip
    """Send `task` once the current transaction commits (at once outside one); see `enqueue_now`."""
    transaction.on_commit(lambda: enqueue_now(task, args=args, task_id=task_id, queue=queue, on_failure=on_failure))
