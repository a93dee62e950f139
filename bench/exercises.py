"""Coding exercises: how long a learner waits, each figure next to its goal (ratio = measured / goal, at most 1.0
meets it).

Run: .venv/bin/python bench/exercises.py   (about a minute on the 2-core CPU; needs bubblewrap)

1. sandbox start-up: (a) per run on a warm worker, the fork of the warm sandboxed interpreter, its rlimits and the
   test harness, for an empty program (goal 0.3 s); (b) for information, a cold sandbox: bwrap + a bare Python, and
   bwrap + Python importing torch and transformers (what a fresh worker pays once)
2. Run -> verdict for a passing scaled dot-product attention solution on a warm worker, through the real path:
   POST /exercises/<slug>/run/ (Django test client) -> broker -> a real Celery worker -> sandbox -> row saved ->
   GET of the results fragment answering "done" (polled every 20 ms); median and spread of 15 runs (goal 1.5 s)
3. a burst of 20 runs from 20 learners at once: time until every verdict is in, and the throughput

The broker is whatever the settings name (CELERY_BROKER_URL; the filesystem broker by default); the database is a
throwaway one beside the configured one.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

from quizsite import routing  # noqa: E402
from worker.sandbox import Sandbox, sandbox_unavailable_reason  # noqa: E402

ROWS: list[tuple[str, float, float]] = []
RUNS = 15
BURST = 20
TRIVIAL_TEST = "def test_ran(check):\n    check.true(True, '')\n"


def report(name: str, value: float, goal: float | None, unit: str, note: str = "") -> None:
    if goal is None:
        print(f"{name:<52} {value:>8.3f} {unit:<2} (information)     {note}", flush=True)
        return
    ROWS.append((name, value, goal))
    print(f"{name:<52} {value:>8.3f} {unit:<2} goal <= {goal:<5g} ratio {value / goal:5.2f}  {note}", flush=True)


def spread(times: list[float]) -> str:
    ordered = sorted(times)
    p90 = ordered[max(0, round(0.9 * len(ordered)) - 1)]
    return f"(median of {len(times)}; min {ordered[0]:.3f}, p90 {p90:.3f}, max {ordered[-1]:.3f} s)"


def bench_sandbox() -> None:
    started = time.perf_counter()
    bare = Sandbox(preload=())
    bare.start()
    bare_start = time.perf_counter() - started
    bare.close()
    report("cold sandbox: bwrap + bare Python, ready", bare_start, None, "s")

    started = time.perf_counter()
    warm = Sandbox()
    warm.start()
    report("cold sandbox: bwrap + torch + transformers, ready", time.perf_counter() - started, None, "s",
           "(once per worker process)")  # fmt: skip
    try:
        times = []
        for _ in range(RUNS + 2):
            started = time.perf_counter()
            reply = warm.run(code="pass", tests=TRIVIAL_TEST)
            times.append(time.perf_counter() - started)
            assert reply["verdict"] == "passed", reply
        times = times[2:]
        report("sandbox start-up per run (warm worker)", statistics.median(times), 0.3, "s", spread(times))
    finally:
        warm.close()


def _wait_done(client: Client, url: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = client.get(url).content.decode()
        if 'data-status="done"' in html:
            return html
        time.sleep(0.02)
    raise SystemExit(f"no verdict after {timeout} s at {url}")


def bench_worker() -> None:
    from quiz.bank.services.bank import bank_load
    from quiz.exercises.models import Exercise, ExerciseAttempt
    from quiz.exercises.services import exercises_load
    from tests.live_worker import LiveWorker, broker_purge, database_url_for_tests

    setup_test_environment()
    settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = (
        str(Path(settings.VAR_DIR) / "bench_exercises.sqlite3") if connection.vendor == "sqlite" else "bench_exercises"
    )
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    routing.queue_suffix = f"-bench-{os.getpid()}"  # this run's own queue on a shared broker
    queue = routing.task_queue("exercises.run")
    log_dir = Path(settings.VAR_DIR) / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DATABASE_URL": database_url_for_tests(connection.settings_dict),
        "CELERY_QUEUE_SUFFIX": routing.queue_suffix,
    }
    worker = LiveWorker(env=env, log_path=log_dir / "bench-exercises-worker.log", queue=queue)
    try:
        bank_load()
        exercises_load()
        exercise = Exercise.objects.get(slug="scaled-dot-product-attention")
        users = [get_user_model().objects.create_user(username=f"bench{i}") for i in range(BURST)]
        broker_purge(queue)
        worker.start()
        worker.ready()
        client = Client()
        client.force_login(users[0])
        run_url = f"/exercises/{exercise.slug}/run/"

        def run_once() -> float:
            started = time.perf_counter()
            response = client.post(run_url, {"code": exercise.solution}, HTTP_ACCEPT="application/json")
            assert response.status_code == 200, response.content
            html = _wait_done(client, response.json()["results_url"])
            elapsed = time.perf_counter() - started
            assert 'data-verdict="passed"' in html, html[:2000]
            return elapsed

        first = run_once()
        report("first run as soon as the worker is ready", first, None, "s", "(its sandbox warms up at start)")
        run_once()  # warm
        times = [run_once() for _ in range(RUNS)]
        report("Run -> verdict, passing SDPA, warm worker", statistics.median(times), 1.5, "s", spread(times))
        inside = list(ExerciseAttempt.objects.filter(user=users[0]).order_by("-pk")[:RUNS].values_list(
            "run_seconds", flat=True))  # fmt: skip
        report("  of which inside the sandbox (fork to verdict)", statistics.median(inside), None, "s")

        clients = []
        for user in users:
            burst_client = Client()
            burst_client.force_login(user)
            clients.append(burst_client)
        started = time.perf_counter()
        urls = []
        for burst_client in clients:
            response = burst_client.post(run_url, {"code": exercise.solution}, HTTP_ACCEPT="application/json")
            assert response.status_code == 200, response.content
            urls.append(response.json()["results_url"])
        for burst_client, url in zip(clients, urls, strict=True):
            assert 'data-verdict="passed"' in _wait_done(burst_client, url, timeout=300)
        total = time.perf_counter() - started
        report(f"burst of {BURST} runs: last verdict after", total, BURST * 1.5, "s",
               f"(throughput {BURST / total:.2f} runs/s, one solo worker)")  # fmt: skip
    finally:
        worker.stop()
        broker_purge(queue)
        connection.creation.destroy_test_db(original, verbosity=0)


def main() -> None:
    reason = sandbox_unavailable_reason()
    if reason:
        print(reason)
        print("missed: the sandbox is unavailable")
        sys.exit(1)
    print(f"database: {connection.vendor}   broker: {settings.CELERY_BROKER_URL.split('://')[0]}   "
          f"cpu threads: {os.cpu_count()}")  # fmt: skip
    bench_sandbox()
    bench_worker()
    missed = [name.strip() for name, value, goal in ROWS if value > goal]
    print("all goals met" if not missed else f"missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
