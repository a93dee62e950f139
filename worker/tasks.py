"""Celery tasks (thin: an id in, a service call) and the worker's heartbeat thread.

acks_late, reject_on_worker_lost, prefetch 1 and the time limits are global (quizsite/settings.py). Models load
lazily on the first run that needs them (worker.modelhub caches them per process), never at worker start.
"""

import logging
import os
import threading

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown
from django.db import close_old_connections

from demos.services import (
    HEARTBEAT_SECONDS,
    demo_run_execute,
    demo_runs_reap,
    worker_heartbeat_beat,
    worker_heartbeat_end,
)

log = logging.getLogger(__name__)

# Set before torch loads (lazily, on the first run). OpenMP threads that spin while they wait starve each other and
# everything else on a busy CPU: on the 2-core dev machine under load, 8 tokens x 2 strategies took 2.7 s passive
# against 10 to 50 s spinning.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

REAP_EVERY_BEATS = 6  # ~30 s
_stop = threading.Event()


def worker_device() -> str:
    from worker.modelhub import device_get  # imports torch: seconds, so only off the start-up path

    return str(device_get())


@shared_task(bind=True, name="demos.run", ignore_result=True)
def demo_run_task(self, run_id: str) -> None:
    demo_run_execute(run_id=run_id, hostname=self.request.hostname or "", device=worker_device())


def _heartbeat_loop(hostname: str) -> None:
    device, beats = "", 0
    while not _stop.is_set():
        try:
            close_old_connections()
            worker_heartbeat_beat(hostname=hostname, pid=os.getpid(), device=device)
            if beats % REAP_EVERY_BEATS == 0:
                demo_runs_reap()
        except Exception:  # the database restarting must not end the heartbeat for good
            log.exception("worker heartbeat failed")
        if not device:  # after the first beat, so a page sees the worker at once
            try:
                device = worker_device()
            except Exception:
                log.exception("could not determine the demo device")
                device = "unknown"
            continue
        beats += 1
        _stop.wait(HEARTBEAT_SECONDS)


@worker_ready.connect
def heartbeat_start(sender, **kwargs):
    """A daemon thread, so worker start-up never waits on it and it dies with the process."""
    _stop.clear()
    threading.Thread(target=_heartbeat_loop, args=(sender.hostname,), name="demo-heartbeat", daemon=True).start()


@worker_shutdown.connect
def heartbeat_stop(sender, **kwargs):
    _stop.set()
    try:
        worker_heartbeat_end(hostname=sender.hostname)
    except Exception:
        log.exception("could not remove the worker heartbeat")


@shared_task(name="quiz.interview_grade", ignore_result=True)
def interview_grade(interview_id: int) -> None:
    """Grade a finished mock interview (the encoder loads once per worker process); safe to run twice."""
    from quiz.exams.services.interview_report import interview_grade_run

    interview_grade_run(interview_id=interview_id)
