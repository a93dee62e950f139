"""The worker's heartbeat: a daemon thread that tells the pages a worker is alive (and on which device), and reaps
runs that will never finish. Started and stopped by Celery's worker signals (connected in demos/tasks.py)."""

import logging
import os
import threading

from django.db import close_old_connections

from demos.services import HEARTBEAT_SECONDS, demo_runs_reap, worker_heartbeat_beat, worker_heartbeat_end
from quizsite.routing import QUEUE_DEMOS

log = logging.getLogger(__name__)

REAP_EVERY_BEATS = 6  # ~30 s
_stop = threading.Event()


def worker_device() -> str:
    from worker.modelhub import device_get  # imports torch: seconds, so only off the start-up path

    return str(device_get())


def _heartbeat_loop(hostname: str, queues: str) -> None:
    """Beats; a worker of the demos queue also finds its device (torch) and reaps stuck runs."""
    demos = not queues or QUEUE_DEMOS in queues
    device, beats = ("" if demos else "-"), 0
    while not _stop.is_set():
        try:
            close_old_connections()
            worker_heartbeat_beat(hostname=hostname, pid=os.getpid(), device=device.strip("-"), queues=queues)
            if demos and beats % REAP_EVERY_BEATS == 0:
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


def heartbeat_start(sender, **kwargs):
    """A daemon thread, so worker start-up never waits on it and it dies with the process."""
    _stop.clear()
    queues = ",".join(sorted(sender.app.amqp.queues.consume_from or {}))
    threading.Thread(target=_heartbeat_loop, args=(sender.hostname, queues), name="demo-heartbeat",
                     daemon=True).start()  # fmt: skip


def heartbeat_stop(sender, **kwargs):
    _stop.set()
    try:
        worker_heartbeat_end(hostname=sender.hostname)
    except Exception:
        log.exception("could not remove the worker heartbeat")
