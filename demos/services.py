"""Demo runs: start (validate, cache, throttle, enqueue), execute in the worker, reap the stuck; worker heartbeats."""

import contextlib
import hashlib
import json
import logging
import math
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from demos.kinds import kind_get
from demos.models import DemoRun, WorkerHeartbeat
from demos.params import DemoParamError
from quizsite.queueing import enqueue_on_commit

log = logging.getLogger(__name__)

RUN_TASK = "demos.run"  # the task's registered name (demos/tasks.py); queued messages carry it
RUNS_PER_MINUTE = 10  # per user; cache hits are free
QUEUE_MAX = 20  # runs waiting for a worker, all users together
QUEUE_FULL_RETRY_AFTER = 15  # seconds
PROGRESS_MIN_INTERVAL = 0.5  # seconds between progress writes
HEARTBEAT_SECONDS = 5
WORKER_STALE_SECONDS = 20  # a worker silent this long is gone (4 missed heartbeats)
QUEUED_ORPHAN_SECONDS = 120  # queued this long with no worker alive: give up
QUEUED_LOST_SECONDS = 900  # queued this long even with a worker alive: the message was lost
HARD_LIMIT_MARGIN = 30  # seconds past CELERY_TASK_TIME_LIMIT before a running run is declared dead

MSG_NO_WORKER = "No worker is running — start one with make run. Cached results still show."
ERR_RATE_LIMIT = "You started {limit} runs in the last minute. Try again in {seconds} s."
ERR_QUEUE_FULL = "{depth} runs are already waiting for the worker. Try again in {seconds} s."
ERR_QUEUE_UNREACHABLE = "The task queue could not be reached, so the run was not started. Try again shortly."
ERR_WORKER_LOST = "The worker stopped while running this demo (it was restarted or killed). Run it again."
ERR_NO_WORKER = "No worker picked this run up in time. Start one with `make run`, then run it again."
ERR_TIMEOUT = "The run took longer than the {seconds} s limit and was stopped."
ERR_MODEL_FAILED = "The model failed: {error}"


class DemoThrottled(Exception):
    """Too many runs: `retry_after` seconds to wait, `message` for the learner."""

    def __init__(self, retry_after: int, message: str):
        self.retry_after, self.message = retry_after, message
        super().__init__(message)


class DemoTimeout(Exception):
    """Raised from the progress callback: the solo pool cannot enforce Celery's soft time limit, so we do."""


def worker_alive(*, within: int = WORKER_STALE_SECONDS) -> bool:
    return WorkerHeartbeat.objects.filter(last_seen__gte=timezone.now() - timedelta(seconds=within)).exists()


def demo_device() -> str:
    """The device runs go to: as configured, else as the most recent worker reported, else "auto"."""
    if settings.DEMO_DEVICE:
        return settings.DEMO_DEVICE
    beat = WorkerHeartbeat.objects.exclude(device="").order_by("-last_seen").values_list("device", flat=True).first()
    return beat or "auto"


def params_hash_compute(*, kind: str, params: dict, model: str, device: str) -> str:
    canonical = json.dumps({"kind": kind, "params": params, "model": model, "device": device},
                           sort_keys=True, separators=(",", ":"), ensure_ascii=False)  # fmt: skip
    return hashlib.sha256(canonical.encode()).hexdigest()


@transaction.atomic
def demo_run_start(*, user, kind: str, params, force: bool = False) -> DemoRun:
    """A run for these parameters: a cache hit (a finished run with the same hash, copied as this user's own run,
    status done) unless `force`, this user's identical run still in flight, or a new queued run sent to the worker
    once the row commits. Other users' runs are reused only for public parameters (defaults, a card's pre-fill).

    Raises DemoParamError (bad kind or parameter) or DemoThrottled (per-user rate, or queue depth).
    """
    demo = kind_get(kind)
    clean = demo.validate(params)
    device = demo_device()
    digest = params_hash_compute(kind=demo.slug, params=clean, model=demo.model_name(clean), device=device)
    if not force:
        done = DemoRun.objects.filter(params_hash=digest, status=DemoRun.Status.DONE)
        if not _params_public(demo=demo, clean=clean):
            done = done.filter(user=user)  # someone else's prompt stays theirs: no sign it was ever run
        hit = done.order_by("-finished_at").first()
        if hit:
            return _demo_run_copy(run=hit, user=user)
    in_flight = DemoRun.objects.filter(
        params_hash=digest, user=user, status__in=[DemoRun.Status.QUEUED, DemoRun.Status.RUNNING]
    ).first()
    if in_flight:  # a double click, or "run again" while the same run is still going
        return in_flight
    now = timezone.now()
    recent = list(
        DemoRun.objects.filter(user=user, queued_at__gte=now - timedelta(minutes=1))
        .order_by("-queued_at")
        .values_list("queued_at", flat=True)[:RUNS_PER_MINUTE]
    )
    if len(recent) >= RUNS_PER_MINUTE:
        seconds = max(1, math.ceil((recent[-1] + timedelta(minutes=1) - now).total_seconds()))
        raise DemoThrottled(seconds, ERR_RATE_LIMIT.format(limit=RUNS_PER_MINUTE, seconds=seconds))
    depth = DemoRun.objects.filter(status=DemoRun.Status.QUEUED).count()
    if depth >= QUEUE_MAX:
        raise DemoThrottled(QUEUE_FULL_RETRY_AFTER, ERR_QUEUE_FULL.format(depth=depth, seconds=QUEUE_FULL_RETRY_AFTER))
    run_id = uuid.uuid4()  # also the task id: a re-delivered message names the same run
    run = DemoRun.objects.create(id=run_id, task_id=str(run_id), kind=demo.slug, params=clean, params_hash=digest,
                                 user=user, device=device)  # fmt: skip
    enqueue_on_commit(RUN_TASK, args=[str(run_id)], task_id=str(run_id),
                      on_failure=lambda: _demo_run_unqueued(run_id=run_id))  # fmt: skip
    return run


def _params_public(*, demo, clean: dict) -> bool:
    """Parameters anyone can see on the site (the form's defaults, or a card's pre-filled demo): sharing their
    cached result between users tells nobody anything. Anything typed by a learner is cached per learner."""
    from quiz.bank.models import Card  # bank names demos; the import stays local to keep demos importable alone

    defaults = demo.validate({})
    if clean == defaults:
        return True
    for params in Card.objects.filter(demo_slug=demo.slug).values_list("demo_params", flat=True):
        with contextlib.suppress(DemoParamError):  # a stale pre-fill on a card is not this run's parameters
            if demo.validate(params or {}) == clean:
                return True
    return False


def _demo_run_copy(*, run: DemoRun, user) -> DemoRun:
    """A cache hit as the caller's own finished run: the same result, a new id (their permanent link), a place in
    their history, and nothing of the original (owner, times, worker)."""
    now = timezone.now()
    result = DemoRun.objects.filter(pk=run.pk).values_list("result", flat=True).get()
    return DemoRun.objects.create(
        id=uuid.uuid4(), kind=run.kind, params=run.params, params_hash=run.params_hash, status=DemoRun.Status.DONE,
        progress=100, progress_label="Done", result=result, user=user, started_at=now, finished_at=now,
        device=run.device,
    )  # fmt: skip


def _demo_run_unqueued(*, run_id) -> None:
    DemoRun.objects.filter(pk=run_id, status=DemoRun.Status.QUEUED).update(
        status=DemoRun.Status.FAILED, error=ERR_QUEUE_UNREACHABLE, finished_at=timezone.now()
    )


@transaction.atomic
def _demo_run_claim(*, run_id, hostname: str) -> DemoRun | None:
    run = DemoRun.objects.select_for_update().filter(pk=run_id).first()
    if run is None or run.is_finished:
        return None
    # queued, or running when a worker died mid-run and the broker re-delivered it: start over cleanly
    run.status, run.started_at, run.finished_at = DemoRun.Status.RUNNING, timezone.now(), None
    run.worker_hostname, run.attempts = hostname, run.attempts + 1
    run.progress, run.progress_label, run.error, run.result = 0, "Starting", "", None
    run.save()
    return run


class _ProgressWriter:
    """The `progress(done, total, label)` callback given to a kind: writes at most every 0.5 s, enforces the limit."""

    def __init__(self, run: DemoRun):
        self.rows = DemoRun.objects.filter(pk=run.pk, attempts=run.attempts, status=DemoRun.Status.RUNNING)
        self.start = self.last = time.monotonic()
        self.limit = settings.CELERY_TASK_SOFT_TIME_LIMIT

    def __call__(self, done: float, total: float = 1, label: str = "") -> None:
        now = time.monotonic()
        if now - self.start > self.limit:
            raise DemoTimeout()
        if now - self.last < PROGRESS_MIN_INTERVAL:
            return
        self.last = now
        percent = max(0, min(99, round(100 * done / total))) if total else 0
        self.rows.update(progress=percent, progress_label=label[:120])


def demo_run_execute(*, run_id, hostname: str, device: str = "") -> DemoRun | None:
    """Run a queued run in this worker; safe to call twice (a finished run is left alone, returns None)."""
    run = _demo_run_claim(run_id=run_id, hostname=hostname)
    if run is None:
        return None
    mine = DemoRun.objects.filter(pk=run.pk, attempts=run.attempts)  # a later re-delivery owns the row after us
    demo = kind_get(run.kind)
    try:
        result = demo.run(run.params, _ProgressWriter(run))
    except Exception as exc:
        from celery.exceptions import SoftTimeLimitExceeded

        if isinstance(exc, DemoTimeout | SoftTimeLimitExceeded):
            error = ERR_TIMEOUT.format(seconds=settings.CELERY_TASK_SOFT_TIME_LIMIT)
        else:
            log.exception("demo run %s failed", run.pk)
            error = ERR_MODEL_FAILED.format(error=f"{type(exc).__name__}: {exc}"[:500])
        mine.update(status=DemoRun.Status.FAILED, error=error, finished_at=timezone.now())
    else:
        device = device or run.device
        # keyed by the device it really ran on (the start could only guess while no worker had reported one)
        digest = params_hash_compute(kind=run.kind, params=run.params, model=demo.model_name(run.params), device=device)
        mine.update(status=DemoRun.Status.DONE, result=result, progress=100, progress_label="Done",
                    finished_at=timezone.now(), device=device, params_hash=digest)  # fmt: skip
    return DemoRun.objects.get(pk=run.pk)


@transaction.atomic
def demo_runs_reap(*, now=None) -> int:
    """Mark failed the runs that will never finish; returns how many. Cheap: a few indexed updates."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=WORKER_STALE_SECONDS)
    alive = list(WorkerHeartbeat.objects.filter(last_seen__gte=stale).values_list("hostname", flat=True))
    running, queued = (
        DemoRun.objects.filter(status=DemoRun.Status.RUNNING),
        DemoRun.objects.filter(status=DemoRun.Status.QUEUED),
    )
    hard_limit = settings.CELERY_TASK_TIME_LIMIT + HARD_LIMIT_MARGIN

    def fail(rows, error):
        return rows.update(status=DemoRun.Status.FAILED, error=error, finished_at=now)

    reaped = fail(
        running.filter(started_at__lt=now - timedelta(seconds=hard_limit)),
        ERR_TIMEOUT.format(seconds=settings.CELERY_TASK_TIME_LIMIT),
    )
    reaped += fail(running.filter(started_at__lt=stale).exclude(worker_hostname__in=alive), ERR_WORKER_LOST)
    reaped += fail(queued.filter(queued_at__lt=now - timedelta(seconds=QUEUED_LOST_SECONDS)), ERR_NO_WORKER)
    if not alive:
        reaped += fail(queued.filter(queued_at__lt=now - timedelta(seconds=QUEUED_ORPHAN_SECONDS)), ERR_NO_WORKER)
    if reaped:
        log.warning("reaped %d demo runs", reaped)
    return reaped


def demo_run_reap_if_stuck(*, run: DemoRun) -> DemoRun:
    """For a page polling one run: reap only when this run looks stuck (one cheap read otherwise)."""
    if run.is_finished:
        return run
    if run.status == DemoRun.Status.RUNNING:
        stuck = not WorkerHeartbeat.objects.filter(
            hostname=run.worker_hostname, last_seen__gte=timezone.now() - timedelta(seconds=WORKER_STALE_SECONDS)
        ).exists()
    else:
        stuck = (timezone.now() - run.queued_at).total_seconds() > QUEUED_ORPHAN_SECONDS and not worker_alive()
    if stuck and demo_runs_reap():
        run.refresh_from_db()
    return run


@transaction.atomic
def worker_heartbeat_beat(*, hostname: str, pid: int, device: str = "") -> WorkerHeartbeat:
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname, defaults={"last_seen": now, "started_at": now, "pid": pid, "device": device}
    )
    if not created:
        if beat.pid != pid:  # the same hostname restarted: a new process
            beat.started_at = now
        beat.last_seen, beat.pid, beat.device = now, pid, device or beat.device
        beat.save()
    return beat


def worker_heartbeat_end(*, hostname: str) -> None:
    """A worker shutting down cleanly: pages say at once that none is running."""
    WorkerHeartbeat.objects.filter(hostname=hostname).delete()
