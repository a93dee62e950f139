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
from django.db.models import Q
from django.utils import timezone

from demos.kinds import kind_get
from demos.models import DemoRun, WorkerHeartbeat
from demos.params import DemoParamError
from quizsite.queueing import enqueue_on_commit
from quizsite.routing import QUEUE_DEMOS

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
ERR_USER_BUSY = (
    "You already have {count} jobs waiting or running (demo runs and interview gradings). "
    "Try again when one has finished, in about {seconds} s."
)
ERR_CANCELED = "Canceled by its owner."
CANCEL_CHECK_SECONDS = 0.25  # a running run reads its row this often for a cancel: it stops within a second
ESTIMATE_SAMPLE = 20  # recent finished runs of a kind whose durations give its estimate
ESTIMATE_DEFAULT_SECONDS = 5.0  # a kind never run yet
# Runs of these kinds take well under a second: one waiting behind a long run is run between two of its steps
# (same process, models loaded), instead of after it. Its queued message then finds it finished.
QUICK_KINDS = frozenset({"attention"})


class DemoThrottled(Exception):
    """Too many runs: `retry_after` seconds to wait, `message` for the learner."""

    def __init__(self, retry_after: int, message: str):
        self.retry_after, self.message = retry_after, message
        super().__init__(message)


class DemoCanceled(Exception):
    """Raised from the progress callback: the owner canceled the run."""


class DemoTimeout(Exception):
    """Raised from the progress callback: the solo pool cannot enforce Celery's soft time limit, so we do."""


def worker_alive(*, within: int = WORKER_STALE_SECONDS, queue: str = QUEUE_DEMOS) -> bool:
    """A worker consuming `queue` (the demos queue unless named) has beaten recently."""
    beats = WorkerHeartbeat.objects.filter(last_seen__gte=timezone.now() - timedelta(seconds=within))
    return beats.filter(Q(queues="") | Q(queues__contains=queue)).exists()


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
    _fair_share_check(user=user)
    depth = DemoRun.objects.filter(status=DemoRun.Status.QUEUED).count()
    if depth >= QUEUE_MAX:
        raise DemoThrottled(QUEUE_FULL_RETRY_AFTER, ERR_QUEUE_FULL.format(depth=depth, seconds=QUEUE_FULL_RETRY_AFTER))
    run_id = uuid.uuid4()  # also the task id: a re-delivered message names the same run
    run = DemoRun.objects.create(id=run_id, task_id=str(run_id), kind=demo.slug, params=clean, params_hash=digest,
                                 user=user, device=device)  # fmt: skip
    enqueue_on_commit(RUN_TASK, args=[str(run_id)], task_id=str(run_id),
                      on_failure=lambda: _demo_run_unqueued(run_id=run_id))  # fmt: skip
    return run


def _fair_share_check(*, user) -> None:
    """Heavy jobs in flight, this user's and everyone's (quizsite/capacity.py): past either budget, refuse."""
    from quizsite.capacity import jobs_in_flight, user_jobs_in_flight

    mine = user_jobs_in_flight(user_id=user.pk)
    if mine >= settings.CAPACITY_USER_JOBS:
        seconds = max(1, math.ceil(kind_estimate_seconds(kind=None)))
        raise DemoThrottled(seconds, ERR_USER_BUSY.format(count=mine, seconds=seconds))
    everyone = jobs_in_flight()
    if everyone >= settings.CAPACITY_GLOBAL_JOBS:
        raise DemoThrottled(QUEUE_FULL_RETRY_AFTER,
                            ERR_QUEUE_FULL.format(depth=everyone, seconds=QUEUE_FULL_RETRY_AFTER))  # fmt: skip


def kind_estimate_seconds(*, kind: str | None) -> float:
    """Median worker time of the recent finished runs of this kind (of any kind for None)."""
    rows = DemoRun.objects.filter(status=DemoRun.Status.DONE, started_at__isnull=False, finished_at__isnull=False)
    if kind:
        rows = rows.filter(kind=kind)
    spans = [
        (finished - started).total_seconds()
        for started, finished in rows.order_by("-finished_at").values_list("started_at", "finished_at")[
            :ESTIMATE_SAMPLE
        ]
    ]
    if not spans:
        return ESTIMATE_DEFAULT_SECONDS
    spans.sort()
    return spans[len(spans) // 2]


def demo_run_queue_place(*, run: DemoRun) -> dict | None:
    """For a queued run: how many runs are ahead of it on the demos queue (the one running included) and an
    estimate of its wait, from the measured durations of their kinds. None once it runs."""
    if run.status != DemoRun.Status.QUEUED:
        return None
    ahead = list(
        DemoRun.objects.filter(status=DemoRun.Status.QUEUED, queued_at__lt=run.queued_at).values_list("kind", flat=True)
    )
    running = list(DemoRun.objects.filter(status=DemoRun.Status.RUNNING).values_list("kind", "started_at"))
    estimates: dict[str, float] = {}

    def estimate(kind):
        if kind not in estimates:
            estimates[kind] = kind_estimate_seconds(kind=kind)
        return estimates[kind]

    now = timezone.now()
    wait = sum(estimate(kind) for kind in ahead)
    wait += sum(max(0.0, estimate(kind) - (now - started).total_seconds()) for kind, started in running if started)
    return {"position": len(ahead) + len(running) + 1, "ahead": len(ahead) + len(running),
            "wait_s": wait, "run_s": estimate(run.kind)}  # fmt: skip


@transaction.atomic
def demo_run_cancel(*, run: DemoRun, user) -> DemoRun:
    """The owner stops a queued or running run: a queued one never starts; a running one stops at its next step
    (the worker reads the row every CANCEL_CHECK_SECONDS). Idempotent; a finished run is left as it is."""
    if run.user_id != user.pk:
        raise PermissionError("not the owner of this run")
    DemoRun.objects.filter(pk=run.pk, status__in=[DemoRun.Status.QUEUED, DemoRun.Status.RUNNING]).update(
        status=DemoRun.Status.CANCELED, error=ERR_CANCELED, finished_at=timezone.now()
    )
    run.refresh_from_db()
    return run


def demo_run_timed_out(*, run_id) -> None:
    """The watchdog's last word on a run past the hard limit (quizsite/tasks.py)."""
    DemoRun.objects.filter(pk=run_id, status=DemoRun.Status.RUNNING).update(
        status=DemoRun.Status.FAILED, error=ERR_TIMEOUT.format(seconds=settings.CELERY_TASK_TIME_LIMIT),
        finished_at=timezone.now(),
    )  # fmt: skip


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
    run.progress, run.progress_label, run.error, run.result, run.partial = 0, "Starting", "", None, None
    run.save()
    return run


class _ProgressWriter:
    """The `progress(done, total, label, partial=None)` callback given to a kind: writes at most every 0.5 s (the
    first partial result at once: the page shows it on its next poll), stops the run when its owner canceled it, and
    enforces the time limit between steps (the watchdog, quizsite/watchdog.py, covers a step that never returns)."""

    def __init__(self, run: DemoRun, *, hostname: str = "", device: str = "", nested: bool = False):
        self.rows = DemoRun.objects.filter(pk=run.pk, attempts=run.attempts, status=DemoRun.Status.RUNNING)
        self.hostname, self.device, self.nested = hostname, device, nested
        self.start = self.last = self.checked = time.monotonic()
        self.limit = settings.CELERY_TASK_SOFT_TIME_LIMIT
        self.partial_sent = False

    def __call__(self, done: float, total: float = 1, label: str = "", partial=None) -> None:
        now = time.monotonic()
        if now - self.start > self.limit:
            raise DemoTimeout()
        first_partial = partial is not None and not self.partial_sent
        if not first_partial and now - self.last < PROGRESS_MIN_INTERVAL:
            if now - self.checked >= CANCEL_CHECK_SECONDS:
                self.checked = now
                if not self.rows.exists():
                    raise DemoCanceled()
                self._quick_runs_overtake()
            return
        self.last = self.checked = now
        percent = max(0, min(99, round(100 * done / total))) if total else 0
        fields = {"progress": percent, "progress_label": label[:120]}
        if partial is not None:
            fields["partial"], self.partial_sent = partial, True
        if not self.rows.update(**fields):
            raise DemoCanceled()
        self._quick_runs_overtake()

    def _quick_runs_overtake(self) -> None:
        """Run the quick runs waiting behind this one now, between two of its steps (never from inside one)."""
        if self.nested or not self.hostname:
            return
        waiting = DemoRun.objects.filter(status=DemoRun.Status.QUEUED, kind__in=QUICK_KINDS).order_by("queued_at")
        run_ids = list(waiting.values_list("pk", flat=True)[:3])
        if not run_ids:
            return
        started = time.monotonic()
        for run_id in run_ids:
            demo_run_execute(run_id=run_id, hostname=self.hostname, device=self.device, nested=True)
        self.start += time.monotonic() - started  # this run's time limit counts its own time


def demo_run_execute(*, run_id, hostname: str, device: str = "", nested: bool = False) -> DemoRun | None:
    """Run a queued run in this worker; safe to call twice (a finished run is left alone, returns None)."""
    run = _demo_run_claim(run_id=run_id, hostname=hostname)
    if run is None:
        return None
    mine = DemoRun.objects.filter(pk=run.pk, attempts=run.attempts)  # a later re-delivery owns the row after us
    demo = kind_get(run.kind)
    mine = mine.filter(status=DemoRun.Status.RUNNING)  # a cancel while it ran is kept
    try:
        result = demo.run(run.params, _ProgressWriter(run, hostname=hostname, device=device, nested=nested))
    except DemoCanceled:
        log.info("demo run %s canceled by its owner", run.pk)
        return DemoRun.objects.get(pk=run.pk)
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
        mine.update(status=DemoRun.Status.DONE, result=result, partial=None, progress=100, progress_label="Done",
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
def worker_heartbeat_beat(*, hostname: str, pid: int, device: str = "", queues: str = "") -> WorkerHeartbeat:
    now = timezone.now()
    beat, created = WorkerHeartbeat.objects.get_or_create(
        hostname=hostname,
        defaults={"last_seen": now, "started_at": now, "pid": pid, "device": device, "queues": queues},
    )
    if not created:
        if beat.pid != pid:  # the same hostname restarted: a new process
            beat.started_at = now
        beat.last_seen, beat.pid, beat.device, beat.queues = now, pid, device or beat.device, queues
        beat.save()
    return beat


def worker_heartbeat_end(*, hostname: str) -> None:
    """A worker shutting down cleanly: pages say at once that none is running."""
    WorkerHeartbeat.objects.filter(hostname=hostname).delete()
