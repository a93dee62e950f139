"""The two workers of bin/serve on the embedded default (or the configured broker): a demos worker (solo pool,
watchdog) and a cpu worker (one-process prefork), each on its own queue, against the test database.

Reliability: one learner floods the cpu queue with gradings; another learner's attention run still finishes within
the goal. Cancel: a running run stops within a second and the worker takes the next one. Time limit: a run past the
soft limit is failed with the limit's message under the solo pool. Slow on 2 cores (models load once per worker,
~20-40 s): one module, one pair of workers.
"""

import os
import random
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from demos import services as demo_services
from demos.models import DemoRun, WorkerHeartbeat
from quiz.exams.models import Interview
from quiz.exams.services import interview as interviews
from tests.live_worker import LiveWorker, broker_purge, database_url_for_tests, queues_for_tests, run_wait

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

ATTENTION_GOAL_S = 3.0  # click to result for a 0.2 s attention run while the cpu queue is flooded (issue goal)
CANCEL_GOAL_S = 1.0  # the run stops within a second ...
BROKER_PICKUP_S = 0.5  # ... and the worker takes the next message (filesystem broker: polled every 0.2 s)
SOFT_LIMIT_S = 8  # the demos worker's limits in this module: a 128-token KV-cache run takes longer on 2 cores
FLOOD = 30


@pytest.fixture(scope="module")
def workers(django_db_setup, django_db_blocker):
    from django.db import connection

    suffix = f"-cap-{os.getpid()}"
    demos_queue, cpu_queue = queues_for_tests(suffix)
    env = {**os.environ, "DATABASE_URL": database_url_for_tests(connection.settings_dict),
           "CELERY_QUEUE_SUFFIX": suffix, "CAPACITY_SWEEP_SECONDS": "2",
           "CELERY_TASK_SOFT_TIME_LIMIT": str(SOFT_LIMIT_S), "CELERY_TASK_TIME_LIMIT": str(SOFT_LIMIT_S + 4)}  # fmt: skip
    log_dir = Path(settings.VAR_DIR) / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    pair = {
        "demos": LiveWorker(env=env, log_path=log_dir / f"test-worker-demos-{os.getpid()}.log", queue=demos_queue,
                            name="capdemos", pool="solo"),
        "cpu": LiveWorker(env=env, log_path=log_dir / f"test-worker-cpu-{os.getpid()}.log", queue=cpu_queue,
                          name="capcpu", pool="prefork"),
    }  # fmt: skip
    for queue in (demos_queue, cpu_queue):
        broker_purge(queue)
    for worker in pair.values():
        worker.start()
    yield pair
    for worker in pair.values():
        worker.stop()
    for queue in (demos_queue, cpu_queue):
        broker_purge(queue)
    queues_for_tests("")


@pytest.fixture
def ready(workers, transactional_db):
    """Both workers beating in this test's database (a transactional test's teardown empties the table)."""
    for worker in workers.values():
        worker.ready()
    return workers


def wait_until(predicate, *, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} did not happen within {timeout} s")


def finished_interviews(user, count: int) -> list[Interview]:
    done = []
    for _ in range(count):
        interview = interviews.interview_start(user=user, topics=[], questions=2, minutes=5, rng=random.Random(1))
        for position in range(2):
            interviews.interview_answer_submit(interview=interview, position=position,
                                               text="Scaled dot-product attention: softmax of QK^T over sqrt(d_k).")  # fmt: skip
        done.append(interviews.interview_finish(interview=interview))
    return done


def test_a_flood_of_gradings_does_not_delay_another_learners_demo(ready, user, other_user):
    from django.core.management import call_command

    call_command("load_bank", stdout=open(os.devnull, "w"))  # real cards: the grader reads their key points
    assert ready["demos"].hostname != ready["cpu"].hostname
    assert WorkerHeartbeat.objects.filter(queues__contains="cpu", hostname__startswith="capcpu").count() == 1
    # warm both workers: the demos worker's encoder, the cpu worker's grader
    warm = demo_services.demo_run_start(user=other_user, kind="attention", params={}, force=True)
    assert run_wait(warm.pk, timeout=180).status == DemoRun.Status.DONE
    (first,) = finished_interviews(user, 1)
    wait_until(lambda: Interview.objects.get(pk=first.pk).status == Interview.Status.GRADED, timeout=180,
               what="the first grading")  # fmt: skip

    flood = finished_interviews(user, FLOOD)
    flood_rows = Interview.objects.filter(pk__in=[i.pk for i in flood])
    in_flight = flood_rows.filter(status=Interview.Status.GRADING, grading_queued_at__isnull=False).count()
    held = flood_rows.filter(status=Interview.Status.GRADING, grading_queued_at__isnull=True).count()
    assert in_flight <= settings.CAPACITY_USER_JOBS and held >= FLOOD - 2 * settings.CAPACITY_USER_JOBS
    time.sleep(1.0)  # the cpu worker is busy grading

    clicked = time.monotonic()
    run = demo_services.demo_run_start(user=other_user, kind="attention", params={}, force=True)
    run = run_wait(run.pk, timeout=60)
    waited = time.monotonic() - clicked
    assert run.status == DemoRun.Status.DONE
    graded = Interview.objects.filter(pk__in=[i.pk for i in flood], status=Interview.Status.GRADED).count()
    print(f"attention run during the flood: {waited:.2f} s (goal {ATTENTION_GOAL_S} s); flood graded so far {graded}")
    assert waited < ATTENTION_GOAL_S
    # the held gradings go out as earlier ones finish: the flood keeps moving, never past the learner's share
    wait_until(lambda: Interview.objects.filter(pk__in=[i.pk for i in flood], status=Interview.Status.GRADED).count()
               > graded, timeout=60, what="the next graded interview of the flood")  # fmt: skip
    in_flight = Interview.objects.filter(user=user, status=Interview.Status.GRADING, grading_queued_at__isnull=False)
    assert in_flight.count() <= settings.CAPACITY_USER_JOBS


def test_cancel_stops_a_running_run_within_a_second(ready, user, other_user):
    long = demo_services.demo_run_start(user=user, kind="kvcache", params={"max_length": "128"}, force=True)
    wait_until(lambda: DemoRun.objects.get(pk=long.pk).status == DemoRun.Status.RUNNING, timeout=120,
               what="the KV-cache run starting")  # fmt: skip
    time.sleep(0.5)
    # not a quick kind: an attention run would overtake the long one between its steps instead of waiting
    after = demo_services.demo_run_start(user=other_user, kind="kvcache", params={"max_length": "32"}, force=True)
    canceled_at = timezone.now()
    demo_services.demo_run_cancel(run=DemoRun.objects.get(pk=long.pk), user=user)
    started = wait_until(lambda: DemoRun.objects.get(pk=after.pk).started_at, timeout=30,
                         what="the next run starting")  # fmt: skip
    stopped_in = (started - canceled_at).total_seconds()
    print(f"canceled run gave the worker back in {stopped_in:.2f} s (goal {CANCEL_GOAL_S} s + pickup)")
    assert 0 <= stopped_in < CANCEL_GOAL_S + BROKER_PICKUP_S
    long.refresh_from_db()
    assert long.status == DemoRun.Status.CANCELED and long.result is None
    run_wait(after.pk, timeout=120)  # done, or past this module's short time limit: either way it ran


def test_a_quick_run_overtakes_a_long_one_between_its_steps(ready, user, other_user):
    long = demo_services.demo_run_start(user=user, kind="kvcache", params={"max_length": "32"}, force=True)
    wait_until(lambda: DemoRun.objects.get(pk=long.pk).status == DemoRun.Status.RUNNING, timeout=120,
               what="the KV-cache run starting")  # fmt: skip
    clicked = time.monotonic()
    quick = run_wait(demo_services.demo_run_start(user=other_user, kind="attention", params={}, force=True).pk,
                     timeout=60)  # fmt: skip
    waited = time.monotonic() - clicked
    long.refresh_from_db()
    print(f"attention behind a running KV-cache run: {waited:.2f} s; the KV-cache run is {long.status}")
    assert quick.status == DemoRun.Status.DONE and long.status == DemoRun.Status.RUNNING
    assert run_wait(long.pk, timeout=120).status != DemoRun.Status.CANCELED  # it went on where it was


def test_the_solo_pool_fails_a_run_past_its_time_limit(ready, user):
    run = demo_services.demo_run_start(user=user, kind="kvcache", params={"max_length": "128"}, force=True)
    run = run_wait(run.pk, timeout=SOFT_LIMIT_S + 60)
    assert run.status == DemoRun.Status.FAILED
    assert run.error == demo_services.ERR_TIMEOUT.format(seconds=SOFT_LIMIT_S)
    assert run.duration_s < SOFT_LIMIT_S + 2
    assert ready["demos"].alive()  # the soft limit stopped the run, not the worker
