"""The demo platform's numbers, each next to its goal as a ratio (measured / goal: at most 1.0 meets it).

Run: .venv/bin/python bench/demos.py   (about a minute on the 2-core CPU)

1. cold model load: torch + transformers imported and both demo models loaded, as a fresh worker's first run pays
2. warm attention latency: attention_maps on the encoder and the decoder, 32 tokens, models loaded
3. decoding ratio: five strategies in one batched loop vs one greedy `generate` (bench/decoding.py's functions)
4. cached run through the HTTP API: POST /api/demos/runs answered from the cache, GET of the run with its result,
   and the page's own path (HTMX POST answered with the rendered panel); Django test client, throwaway database
5. result page render: a stored decoder attention result at the 64-token bound, one head's heatmap fragment
6. every demo kind at its default parameters, warm, in-process as the worker runs it: median and spread of 5 runs,
   and the time to its first visible output (its first partial result; the result itself for a kind without any)
7. contention, with the two workers of bin/serve (demos: solo; cpu: one-process prefork) on a throwaway database:
   the click-to-result time of a 0.2 s attention run while a default KV-cache run runs and one learner has just
   finished 30 mock interviews (their gradings: their share in the cpu queue, the rest held)

Run with --quick to skip 1-5.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key")
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # as in the worker (demos/tasks.py)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TEXT = "The animal didn't cross the street because it was too tired to walk any further that day."
LONG_TEXT = " ".join(["Attention lets every token look at every other token in the sequence."] * 6)
ROWS = []


def report(name: str, value: float, goal: float, unit: str, note: str = "") -> None:
    ROWS.append((name, value, goal, unit, note))
    print(f"{name:<46} {value:>9.3f} {unit:<3} goal <= {goal:<7g} ratio {value / goal:5.2f}  {note}", flush=True)


def median_time(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def bench_models() -> None:
    started = time.perf_counter()
    from worker.attention import attention_maps
    from worker.modelhub import encoder_load, lm_load

    imported = time.perf_counter() - started
    encoder_load()
    lm_load()
    report("cold load: import + encoder + LM", time.perf_counter() - started, 15.0, "s", f"(imports {imported:.1f} s)")

    for model in ("encoder", "decoder"):
        attention_maps(text=TEXT, model=model, max_tokens=32)  # warm-up
        seconds, _ = median_time(lambda m=model: attention_maps(text=TEXT, model=m, max_tokens=32), 5)
        report(f"warm attention, {model}, 32 tokens", seconds, 1.0, "s", "(median of 5)")


def bench_decoding() -> None:
    from bench.decoding import NEW_TOKENS, STRATEGIES, compare_once, generate_once, timed
    from worker.decoding import chat_ids
    from worker.modelhub import lm_load

    model, tokenizer = lm_load()
    ids = chat_ids(tokenizer, "Explain how a hash table handles collisions.", model.device)
    generate_once(model, ids)
    compare_once()
    generate, compare = [], []
    for _ in range(2):  # interleaved, so background load hits both sides alike
        generate.append(timed(lambda: generate_once(model, ids)))
        compare.append(timed(compare_once))
    g, c = statistics.median(generate), statistics.median(compare)
    report(f"decoding: {len(STRATEGIES)} strategies / 1 generate", c / g, 1.5, "x",
           f"({c:.2f} s vs {g:.2f} s, {NEW_TOKENS} tokens)")  # fmt: skip


def bench_http() -> None:
    from django.contrib.auth import get_user_model

    from demos.models import DemoRun
    from demos.services import demo_run_execute, demo_run_start, worker_heartbeat_beat

    setup_test_environment()
    test = settings.DATABASES["default"].setdefault("TEST", {})
    test["NAME"] = (
        str(Path(settings.VAR_DIR) / "bench_db.sqlite3") if connection.vendor == "sqlite" else "bench_quizsite"
    )
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        user = get_user_model().objects.create_user(username="bench", password="bench-password-1")  # noqa: S106
        worker_heartbeat_beat(hostname="bench@here", pid=os.getpid(), device="cpu")
        params = {"text": TEXT, "model": "encoder", "max_tokens": 32}
        run = demo_run_start(user=user, kind="attention", params=params)
        demo_run_execute(run_id=run.pk, hostname="bench@here", device="cpu")  # in-process: the real model
        client = Client()
        client.force_login(user)
        payload = {"kind": "attention", "params": params}

        def post():
            response = client.post("/api/demos/runs", payload, content_type="application/json")
            assert response.status_code == 200 and response.json()["id"] == str(run.pk), response.content

        post()
        seconds, times = median_time(post, 30)
        report("cached run: POST /api/demos/runs -> 200", seconds * 1000, 50, "ms",
               f"(median of 30, p95 {sorted(times)[28] * 1000:.1f} ms)")  # fmt: skip
        seconds, _ = median_time(lambda: client.get(f"/api/demos/runs/{run.pk}"), 30)
        report("GET /api/demos/runs/{id} with its result", seconds * 1000, 50, "ms", "(median of 30, encoder)")

        def page_post():
            response = client.post("/demos/attention/run", params, headers={"HX-Request": "true"})
            assert response.status_code == 200 and b"<svg" in response.content

        seconds, _ = median_time(page_post, 30)
        report("cached run from the page: panel + heatmap", seconds * 1000, 100, "ms", "(median of 30, HTMX POST)")

        big = demo_run_start(
            user=user, kind="attention", params={"text": LONG_TEXT, "model": "decoder", "max_tokens": 64}
        )
        demo_run_execute(run_id=big.pk, hostname="bench@here", device="cpu")
        megabytes = len(json.dumps(DemoRun.objects.get(pk=big.pk).result)) / 1e6
        url = f"/demos/runs/{big.pk}/result?view=head&layer=3&head=2"
        seconds, _ = median_time(lambda: client.get(url, headers={"HX-Request": "true"}), 5)
        report("heatmap fragment, decoder 64 tokens (30x9)", seconds * 1000, 300, "ms",
               f"(median of 5; stored result {megabytes:.1f} MB)")  # fmt: skip
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


DEFAULT_GOAL_S = 10.0  # every demo at its defaults, warm, on the 2-core CPU
FIRST_OUTPUT_GOAL_S = 2.0  # first visible output after the worker starts the run
CONTENTION_GOAL_S = 3.0  # the attention run's click-to-result time under contention
NOISY_SPREAD = 0.3  # (max - min) / median above this: the figure is flagged noisy


def bench_defaults() -> None:
    from demos.kinds import KINDS

    print(f"load average before the runs: {os.getloadavg()[0]:.1f} (cpu threads {os.cpu_count()})")
    for slug, kind in KINDS.items():
        params = kind.validate({})
        kind.run(params, lambda *args, **kwargs: None)  # warm: models loaded, kernels chosen
        totals, firsts = [], []
        for _ in range(5):
            first = []
            started = time.perf_counter()

            def progress(done, total=1, label="", partial=None, first=first, started=started):
                if partial is not None and not first:
                    first.append(time.perf_counter() - started)

            kind.run(params, progress)
            totals.append(time.perf_counter() - started)
            firsts.append(first[0] if first else totals[-1])
        median = statistics.median(totals)
        spread = max(totals) - min(totals)
        noisy = " NOISY" if spread / median > NOISY_SPREAD else ""
        report(f"default {slug}: run", median, DEFAULT_GOAL_S, "s",
               f"(median of 5, {min(totals):.2f}-{max(totals):.2f} s{noisy})")  # fmt: skip
        report(f"default {slug}: first output", statistics.median(firsts), FIRST_OUTPUT_GOAL_S, "s",
               "(median of 5; partial result)" if any(f < t for f, t in zip(firsts, totals, strict=True))
               else "(no partial result: the result itself)")  # fmt: skip


def bench_contention() -> None:
    import random
    import subprocess

    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from demos.models import DemoRun, WorkerHeartbeat
    from demos.services import demo_run_start
    from quiz.exams.models import Interview
    from quiz.exams.services import interview as interviews
    from quizsite import routing

    try:
        setup_test_environment()
    except RuntimeError:  # bench_http set it up already
        pass
    test = settings.DATABASES["default"].setdefault("TEST", {})
    test["NAME"] = (
        str(Path(settings.VAR_DIR) / "bench_capacity.sqlite3") if connection.vendor == "sqlite" else "bench_capacity"
    )
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    suffix = f"-bench-{os.getpid()}"
    routing.queue_suffix = suffix
    db = connection.settings_dict
    url = f"sqlite:///{db['NAME']}" if connection.vendor == "sqlite" else (
        f"postgres://{db['USER']}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}")  # fmt: skip
    env = {**os.environ, "DATABASE_URL": url, "CELERY_QUEUE_SUFFIX": suffix, "CAPACITY_SWEEP_SECONDS": "2"}
    celery = str(Path(sys.executable).parent / "celery")
    log_dir = Path(settings.VAR_DIR) / "log"
    log_dir.mkdir(parents=True, exist_ok=True)
    workers = [
        subprocess.Popen([celery, "-A", "quizsite", "worker", "-Q", routing.queue_name(queue), f"--pool={pool}",
                          "-c", "1", "--without-mingle", "--without-gossip", f"--hostname=bench{queue}-{os.getpid()}@%h"],
                         cwd=Path(__file__).resolve().parent.parent, env=env,
                         stdout=(log_dir / f"bench-worker-{queue}.log").open("w"), stderr=subprocess.STDOUT)
        for queue, pool in (("demos", "solo"), ("cpu", "prefork"))
    ]  # fmt: skip

    def wait(predicate, timeout, what):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return time.monotonic()
            time.sleep(0.05)
        raise SystemExit(f"bench: {what} did not happen in {timeout} s (logs: var/log/bench-worker-*.log)")

    try:
        call_command("load_bank", stdout=open(os.devnull, "w"))
        users = get_user_model().objects
        flooder = users.create_user(username="flood", password="bench-password-1")  # noqa: S106
        learner = users.create_user(username="learner", password="bench-password-1")  # noqa: S106
        wait(lambda: WorkerHeartbeat.objects.count() == 2, 120, "both workers beating")

        def done(run_id):
            return DemoRun.objects.filter(pk=run_id, status__in=DemoRun.FINISHED).exists()

        def interview_finished(user):
            interview = interviews.interview_start(user=user, topics=[], questions=2, minutes=5,
                                                   rng=random.Random(1))  # fmt: skip
            for position in range(2):
                interviews.interview_answer_submit(interview=interview, position=position,
                                                   text="Attention weighs the values by softmax of QK^T.")  # fmt: skip
            return interviews.interview_finish(interview=interview)

        warm = demo_run_start(user=learner, kind="attention", params={}, force=True)
        kv_warm = demo_run_start(user=learner, kind="kvcache", params={}, force=True)
        first = interview_finished(flooder)
        wait(lambda: done(warm.pk) and done(kv_warm.pk), 300, "the warm-up runs")
        wait(lambda: Interview.objects.filter(pk=first.pk, status=Interview.Status.GRADED).exists(), 300,
             "the warm-up grading")  # fmt: skip

        delays = []
        for _ in range(3):
            kv = demo_run_start(user=learner, kind="kvcache", params={}, force=True)
            wait(lambda kv=kv: DemoRun.objects.filter(pk=kv.pk, status=DemoRun.Status.RUNNING).exists(), 60,
                 "the KV-cache run starting")  # fmt: skip
            for _ in range(30):
                interview_finished(flooder)
            time.sleep(0.5)
            clicked = time.monotonic()
            run = demo_run_start(user=learner, kind="attention", params={}, force=True)
            delays.append(wait(lambda run=run: done(run.pk), 120, "the attention run") - clicked)
            wait(lambda kv=kv: done(kv.pk), 120, "the KV-cache run")
        queued = Interview.objects.filter(status=Interview.Status.GRADING).count()
        report("attention click-to-result under contention", statistics.median(delays), CONTENTION_GOAL_S, "s",
               f"(median of 3: {', '.join(f'{d:.2f}' for d in delays)}; KV-cache run + 30 gradings each time, "
               f"{queued} gradings still waiting at the end)")  # fmt: skip
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(20)
            except subprocess.TimeoutExpired:
                worker.kill()
        routing.queue_suffix = ""
        connection.creation.destroy_test_db(original, verbosity=0)


def main() -> None:
    print(
        f"database: {connection.vendor}   cpu threads: {os.cpu_count()}   OMP_WAIT_POLICY={os.environ['OMP_WAIT_POLICY']}"
    )
    if "--quick" not in sys.argv:
        bench_models()
        bench_decoding()
        bench_http()
    bench_defaults()
    bench_contention()
    missed = [name for name, value, goal, *_ in ROWS if value > goal]
    print("all goals met" if not missed else f"missed: {', '.join(missed)}")


if __name__ == "__main__":
    main()
