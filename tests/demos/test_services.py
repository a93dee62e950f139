"""Executing and reaping runs, and heartbeats: the platform's own logic, with a tiny registered kind (no model).

The real models run through the real worker in test_runs_worker.py; here a kind that echoes its text exercises
what is the same for every kind: claiming, progress, idempotency, failures, time limits, the reaper.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from demos import services
from demos.kinds import KINDS, DemoKind
from demos.models import DemoRun, WorkerHeartbeat
from demos.params import Text

pytestmark = pytest.mark.django_db
HOST = "celery@test-host"


def _echo(params, progress):
    for step in range(3):
        progress(step, 3, f"step {step}")
    if params["text"] == "boom":
        raise RuntimeError("the model fell over")
    return {"echo": params["text"]}


@pytest.fixture
def echo_kind():
    kind = DemoKind(slug="echo", title="Echo", summary="Says it back.", fields=(Text(name="text", label="Text", default="hi"),),
                    run=_echo, result_template="demos/echo/_result.html")  # fmt: skip
    KINDS[kind.slug] = kind
    yield kind
    del KINDS[kind.slug]


def _run(user, text="hello", **fields):
    run = services.demo_run_start(user=user, kind="echo", params={"text": text})
    DemoRun.objects.filter(pk=run.pk).update(**fields)
    return DemoRun.objects.get(pk=run.pk)


def test_execute_stores_the_result_and_who_ran_it(user, echo_kind):
    run = services.demo_run_execute(run_id=_run(user).pk, hostname=HOST, device="cpu")
    assert run.status == DemoRun.Status.DONE and run.result == {"echo": "hello"}
    assert run.progress == 100 and run.worker_hostname == HOST and run.device == "cpu" and run.attempts == 1
    assert run.started_at <= run.finished_at


def test_execute_twice_leaves_a_finished_run_alone(user, echo_kind):
    run = services.demo_run_execute(run_id=_run(user).pk, hostname=HOST)
    assert services.demo_run_execute(run_id=run.pk, hostname="celery@other") is None
    again = DemoRun.objects.get(pk=run.pk)
    assert again.finished_at == run.finished_at and again.worker_hostname == HOST and again.attempts == 1


def test_execute_restarts_cleanly_a_run_redelivered_after_its_worker_died(user, echo_kind):
    crashed = _run(user, status=DemoRun.Status.RUNNING, progress=40, attempts=1, worker_hostname="celery@dead",
                   started_at=timezone.now() - timedelta(seconds=30))  # fmt: skip
    run = services.demo_run_execute(run_id=crashed.pk, hostname=HOST)
    assert run.status == DemoRun.Status.DONE and run.attempts == 2 and run.worker_hostname == HOST


def test_execute_of_a_missing_run_does_nothing(echo_kind):
    assert services.demo_run_execute(run_id="00000000-0000-0000-0000-000000000000", hostname=HOST) is None


def test_a_failing_model_fails_the_run_with_its_error(user, echo_kind):
    run = services.demo_run_execute(run_id=_run(user, text="boom").pk, hostname=HOST)
    assert run.status == DemoRun.Status.FAILED and run.result is None
    assert run.error == services.ERR_MODEL_FAILED.format(error="RuntimeError: the model fell over")


def test_a_run_past_the_soft_time_limit_is_stopped(user, echo_kind, settings):
    settings.CELERY_TASK_SOFT_TIME_LIMIT = 0
    run = services.demo_run_execute(run_id=_run(user).pk, hostname=HOST)
    assert run.status == DemoRun.Status.FAILED and run.error == services.ERR_TIMEOUT.format(seconds=0)


def test_progress_is_written_at_most_every_half_second(user, echo_kind):
    run = _run(user, status=DemoRun.Status.RUNNING, attempts=1)
    progress = services._ProgressWriter(run)
    progress.last -= 1  # the previous write was a second ago
    progress(1, 4, "a quarter")
    progress(3, 4, "three quarters")  # too soon after the first: skipped
    run.refresh_from_db()
    assert (run.progress, run.progress_label) == (25, "a quarter")


def _beat(hostname=HOST, seconds_ago=0):
    when = timezone.now() - timedelta(seconds=seconds_ago)
    return WorkerHeartbeat.objects.create(hostname=hostname, last_seen=when, started_at=when, pid=1)


def test_reaper_fails_a_running_run_whose_worker_went_silent(user, echo_kind):
    _beat(seconds_ago=services.WORKER_STALE_SECONDS + 5)
    started = timezone.now() - timedelta(seconds=services.WORKER_STALE_SECONDS + 5)
    lost = _run(user, "lost", status=DemoRun.Status.RUNNING, worker_hostname=HOST, started_at=started)
    fresh = _run(user, "just started", status=DemoRun.Status.RUNNING, worker_hostname=HOST, started_at=timezone.now())
    assert services.demo_runs_reap() == 1
    lost.refresh_from_db(), fresh.refresh_from_db()
    assert lost.status == DemoRun.Status.FAILED and lost.error == services.ERR_WORKER_LOST
    assert fresh.status == DemoRun.Status.RUNNING  # its worker may not have beaten yet


def test_reaper_leaves_a_run_whose_worker_is_alive_until_the_hard_limit(user, echo_kind, settings):
    _beat()
    long_ago = timezone.now() - timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + services.HARD_LIMIT_MARGIN + 1)
    busy = _run(
        user,
        "busy",
        status=DemoRun.Status.RUNNING,
        worker_hostname=HOST,
        started_at=timezone.now() - timedelta(seconds=60),
    )
    stuck = _run(user, "stuck", status=DemoRun.Status.RUNNING, worker_hostname=HOST, started_at=long_ago)
    assert services.demo_runs_reap() == 1
    busy.refresh_from_db(), stuck.refresh_from_db()
    assert busy.status == DemoRun.Status.RUNNING
    assert stuck.status == DemoRun.Status.FAILED and stuck.error == services.ERR_TIMEOUT.format(
        seconds=settings.CELERY_TASK_TIME_LIMIT
    )


def test_reaper_fails_runs_queued_long_with_no_worker(user, echo_kind):
    old = _run(user, "old", queued_at=timezone.now() - timedelta(seconds=services.QUEUED_ORPHAN_SECONDS + 1))
    new = _run(user, "new")
    assert services.demo_runs_reap() == 1
    old.refresh_from_db(), new.refresh_from_db()
    assert old.status == DemoRun.Status.FAILED and old.error == services.ERR_NO_WORKER
    assert new.status == DemoRun.Status.QUEUED


def test_reap_if_stuck_is_a_read_when_the_run_is_healthy(user, echo_kind, django_assert_max_num_queries):
    _beat()
    run = _run(user, status=DemoRun.Status.RUNNING, worker_hostname=HOST, started_at=timezone.now())
    with django_assert_max_num_queries(1):
        assert services.demo_run_reap_if_stuck(run=run).status == DemoRun.Status.RUNNING


def test_heartbeat_marks_a_worker_alive_until_it_stops(echo_kind):
    assert not services.worker_alive()
    services.worker_heartbeat_beat(hostname=HOST, pid=42, device="cpu")
    assert services.worker_alive() and services.demo_device() == "cpu"
    WorkerHeartbeat.objects.update(last_seen=timezone.now() - timedelta(seconds=services.WORKER_STALE_SECONDS + 1))
    assert not services.worker_alive()
    services.worker_heartbeat_beat(hostname=HOST, pid=43)
    beat = WorkerHeartbeat.objects.get()
    assert services.worker_alive() and beat.pid == 43 and beat.device == "cpu"
    services.worker_heartbeat_end(hostname=HOST)
    assert not services.worker_alive()


def test_the_device_is_part_of_the_cache_key(user, echo_kind, settings):
    settings.DEMO_DEVICE = "cpu"
    on_cpu = services.demo_run_start(user=user, kind="echo", params={"text": "x"})
    settings.DEMO_DEVICE = "cuda"
    on_gpu = services.demo_run_start(user=user, kind="echo", params={"text": "x"})
    assert on_cpu.params_hash != on_gpu.params_hash and on_gpu.device == "cuda"


def test_a_run_started_before_any_worker_reported_its_device_is_cached_under_the_real_one(user, echo_kind):
    first = services.demo_run_start(user=user, kind="echo", params={"text": "x"})
    assert first.device == "auto"
    services.demo_run_execute(run_id=first.pk, hostname=HOST, device="cpu")
    services.worker_heartbeat_beat(hostname=HOST, pid=1, device="cpu")
    hit = services.demo_run_start(user=user, kind="echo", params={"text": "x"})
    assert (
        hit.pk != first.pk
        and hit.status == DemoRun.Status.DONE
        and hit.result == DemoRun.objects.get(pk=first.pk).result
    )
