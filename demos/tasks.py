"""The demo run task (thin: an id in, a service call) and the heartbeat's wiring to the worker's start and stop.

acks_late, reject_on_worker_lost, prefetch 1 and the time limits are global (quizsite/settings.py). Models load
lazily on the first run that needs them (worker.modelhub caches them per process), never at worker start.
"""

import os

from celery import shared_task
from celery.signals import worker_ready, worker_shutdown

from demos import heartbeat
from demos.services import RUN_TASK, demo_run_execute

# Set before torch loads (lazily, on the first run). OpenMP threads that spin while they wait starve each other and
# everything else on a busy CPU: on the 2-core dev machine under load, 8 tokens x 2 strategies took 2.7 s passive
# against 10 to 50 s spinning.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

worker_ready.connect(heartbeat.heartbeat_start)
worker_shutdown.connect(heartbeat.heartbeat_stop)


@shared_task(bind=True, name=RUN_TASK, ignore_result=True)
def demo_run_task(self, run_id: str) -> None:
    demo_run_execute(run_id=run_id, hostname=self.request.hostname or "", device=heartbeat.worker_device())
