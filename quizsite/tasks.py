"""Worker-wide wiring (found by the Celery app's autodiscovery): the time-limit watchdog of the solo pool, and the
capacity sweep thread of the cpu worker (quizsite/capacity.py). No task of its own."""

import logging
import threading

from celery.signals import task_postrun, task_prerun, worker_ready, worker_shutdown
from django.conf import settings
from django.db import close_old_connections

from quizsite.routing import QUEUE_CPU, queue_name
from quizsite.watchdog import watchdog

log = logging.getLogger(__name__)
_sweep_stop = threading.Event()


_pool_is_solo = False  # set when the worker is ready; the watchdog runs only then


@worker_ready.connect
def _worker_ready(sender, **kwargs):
    global _pool_is_solo
    pool = getattr(getattr(sender, "controller", None), "pool", None)
    _pool_is_solo = type(pool).__module__ == "celery.concurrency.solo"
    queues = set(sender.app.amqp.queues.consume_from or {})
    if queue_name(QUEUE_CPU) in queues:
        _sweep_stop.clear()
        threading.Thread(target=_sweep_loop, name="capacity-sweep", daemon=True).start()


@worker_shutdown.connect
def _worker_shutdown(sender=None, **kwargs):
    _sweep_stop.set()


def _sweep_loop() -> None:
    from quizsite.capacity import capacity_sweep

    while not _sweep_stop.wait(settings.CAPACITY_SWEEP_SECONDS):
        try:
            close_old_connections()
            capacity_sweep()
        except Exception:  # the database or the broker restarting must not end the sweep for good
            log.exception("capacity sweep failed")


@task_prerun.connect
def _limits_start(sender=None, task=None, **kwargs):
    if not _pool_is_solo:
        return
    soft = getattr(task, "soft_time_limit", None) or settings.CELERY_TASK_SOFT_TIME_LIMIT
    hard = getattr(task, "time_limit", None) or settings.CELERY_TASK_TIME_LIMIT
    watchdog.start(soft=soft, hard=hard, on_hard=lambda: _hard_limit_record(task.name, kwargs.get("args") or ()))


def _hard_limit_record(task_name: str, args) -> None:
    """Before the process ends: a demo run is failed with the time-limit message, so its re-delivered message
    (acks_late) finds it finished instead of running it again, past the limit again, for ever."""
    from demos.services import RUN_TASK, demo_run_timed_out

    if task_name == RUN_TASK and args:
        demo_run_timed_out(run_id=args[0])


@task_postrun.connect
def _limits_stop(sender=None, **kwargs):
    watchdog.stop()
