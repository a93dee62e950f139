"""Many simulated learners study at once against a real server (gunicorn on 127.0.0.1): next card + submit.

Prints p50/p95 latency of the study API next to a bare Django view (same middleware, same session, no work)
measured in the same run with the same learners, and checks every submitted review is stored exactly once
(some submits are deliberately sent twice). Uses its own database: a SQLite file under var/ by default, or
BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/quizsite_bench; created if missing).

    .venv/bin/python bench/study.py [--learners 16] [--rounds 40] [--workers N] [--threads N]
"""

import argparse
import http.client
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER_FLAG = "BENCH_STUDY_SERVER"
BENCH_SECRET = secrets.token_urlsafe(40)  # one per run: the bench signs sessions the server must read


def _server_application():
    """What gunicorn serves: the site plus one bare view, added to the URLconf before the first request."""
    import django
    from django.core.wsgi import get_wsgi_application
    from django.http import JsonResponse
    from django.urls import path

    django.setup()
    import quizsite.urls

    def bare(request):
        return JsonResponse({"ok": True, "user": request.user.pk})

    quizsite.urls.urlpatterns.append(path("bench/bare", bare))
    return get_wsgi_application()


if os.environ.get(SERVER_FLAG) == "1":
    application = _server_application()


def _env(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0", "SECRET_KEY": BENCH_SECRET,
           "DJANGO_SETTINGS_MODULE": "quizsite.settings", "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT)}  # fmt: skip
    env.pop("DB_CONN_MAX_AGE", None)
    return env


def _prepare(database_url: str, learners: int) -> list[tuple[int, str, str]]:
    """Migrate, make cards if the bank is empty, make learners with a session each: (user id, session, csrf)."""
    os.environ.update(_env(database_url))
    sys.path.insert(0, str(ROOT))
    if database_url.startswith("postgres"):
        _postgres_create(database_url)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=_env(database_url), check=True
    )
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from quiz.bank.models import Card, Topic
    from quiz.study.models import StudyCard, StudyReview

    if Card.objects.count() < 100:
        topic, _ = Topic.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
        Card.objects.bulk_create([Card(slug=f"bench-{i}", topic=topic, question=f"Bench question {i}?", answer="An answer.")
                                  for i in range(Card.objects.count(), 200)])  # fmt: skip
    User = get_user_model()
    users = []
    for n in range(learners):
        user, _ = User.objects.get_or_create(username=f"bench-learner-{n}")
        user.set_unusable_password()  # the bench logs in by session
        user.save()
        StudyReview.objects.filter(user=user).delete()
        StudyCard.objects.filter(user=user).delete()
        session = SessionStore()
        session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: settings.AUTHENTICATION_BACKENDS[-1],
                        HASH_SESSION_KEY: user.get_session_auth_hash()})  # fmt: skip
        session.create()
        users.append((user.pk, session.session_key, secrets.token_hex(16)))
    from django.db import connections

    connections.close_all()
    return users


def _postgres_create(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as db:
        if not db.execute("select 1 from pg_database where datname = %s", [name]).fetchone():
            db.execute(f'create database "{name}"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Learner(threading.Thread):
    def __init__(self, port, user, rounds, seed, results):
        super().__init__(daemon=True)
        self.port, (self.user_id, session, csrf), self.rounds = port, user, rounds
        self.rng, self.results = random.Random(seed), results
        self.headers = {"Cookie": f"sessionid={session}; csrftoken={csrf}", "X-CSRFToken": csrf,
                        "Content-Type": "application/json", "Host": "127.0.0.1"}  # fmt: skip
        self.submitted, self.errors = set(), []

    def call(self, kind, method, path, body=None):
        started = time.perf_counter()
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=self.headers)
        response = self.conn.getresponse()
        data = response.read()
        self.results[kind].append(time.perf_counter() - started)
        if response.status != 200:
            self.errors.append(f"{method} {path}: {response.status} {data[:200]!r}")
            return None
        return json.loads(data)

    def run(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        for _ in range(self.rounds):
            self.call("bare", "GET", "/bench/bare")
            nxt = self.call("next", "GET", "/api/study/next")
            if not nxt or not nxt["cards"]:
                continue
            review = {"card_id": nxt["cards"][0]["card_id"], "rating": self.rng.choice([1, 3, 3, 3, 4]),
                      "review_id": str(uuid.uuid4()), "duration_ms": self.rng.randint(1500, 9000)}  # fmt: skip
            out = self.call("submit", "POST", "/api/study/reviews", review)
            if out:
                self.submitted.add(review["review_id"])
            if self.rng.random() < 0.1:  # a double click / a retry after a lost response
                again = self.call("submit", "POST", "/api/study/reviews", review)
                if again and not again["duplicate"]:
                    self.errors.append(f"resent review {review['review_id']} was not recognised as a duplicate")
        self.conn.close()


def server_start(database_url: str, *, workers: int | None, threads: int | None) -> tuple[subprocess.Popen, int]:
    """gunicorn serving the site (plus the bare view) on a free loopback port, answering /healthz."""
    port = _free_port()
    server_size = [*(["--workers", str(workers)] if workers else []), *(["--threads", str(threads)] if threads else [])]
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", str(ROOT / "quizsite" / "gunicorn_conf.py"),
         "--bind", f"127.0.0.1:{port}", *server_size, "--pythonpath", str(ROOT / "bench"), "--log-level", "warning", "study:application"],
        cwd=ROOT, env={**_env(database_url), SERVER_FLAG: "1", "DB_CONN_MAX_AGE": "60"},
    )  # fmt: skip
    for _ in range(150):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.2)
    return server, port


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=40, help="next + submit (+ a bare call) per learner")
    parser.add_argument("--workers", type=int, default=None, help="default: quizsite/gunicorn_conf.py")
    parser.add_argument("--threads", type=int, default=None, help="default: quizsite/gunicorn_conf.py")
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'bench_study.sqlite3'}"
    users = _prepare(database_url, args.learners)
    server, port = server_start(database_url, workers=args.workers, threads=args.threads)
    try:
        warm = [Learner(port, user, 2, 0, {"bare": [], "next": [], "submit": []}) for user in users]
        for learner in warm:  # warm up every worker thread and its database connection
            learner.run()
        results = {"bare": [], "next": [], "submit": []}
        learners = [Learner(port, user, args.rounds, seed, results) for seed, user in enumerate(users)]
        started = time.perf_counter()
        for learner in learners:
            learner.start()
        for learner in learners:
            learner.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=20)

    from quiz.study.models import StudyReview

    submitted = set().union(*(learner.submitted for learner in learners + warm))
    bench_users = [user_id for user_id, _, _ in users]
    stored = list(StudyReview.objects.filter(user_id__in=bench_users).values_list("review_id", flat=True))
    stored_ids = {str(review_id) for review_id in stored}
    errors = [error for learner in learners + warm for error in learner.errors]
    if not results["submit"]:
        print("no answers were submitted:", errors[:3] or "no card was due")
        return 1
    study = results["next"] + results["submit"]
    from quizsite import gunicorn_conf

    size = f"{args.workers or gunicorn_conf.workers} workers x {args.threads or gunicorn_conf.threads} threads"
    print(f"database: {database_url.split('@')[-1]}  server: gunicorn {size}")
    print(f"learners: {args.learners}  rounds: {args.rounds}  requests: {sum(map(len, results.values()))} in {elapsed:.1f}s "
          f"({sum(map(len, results.values())) / elapsed:.0f} req/s)")  # fmt: skip
    for kind, values in (("bare view", results["bare"]), ("next card", results["next"]), ("submit", results["submit"]),
                         ("study (next+submit)", study)):  # fmt: skip
        print(f"  {kind:<20} n={len(values):>5}  p50={_pct(values, .5):6.1f} ms  p95={_pct(values, .95):6.1f} ms  "
              f"mean={statistics.fmean(values) * 1000:6.1f} ms")  # fmt: skip
    ratio50 = _pct(study, 0.5) / _pct(results["bare"], 0.5)
    ratio95 = _pct(study, 0.95) / _pct(results["bare"], 0.95)
    duplicates = len(stored) - len(stored_ids)
    missing, extra = len(submitted - stored_ids), len(stored_ids - submitted)
    print(f"ratio study/bare: p50 {ratio50:.2f}  p95 {ratio95:.2f}  (goal <= 1.3)")
    print(f"reviews: submitted {len(submitted)}  stored {len(stored)}  duplicates={duplicates}  missing={missing}  "
          f"unexpected={extra}  errors={len(errors)}")  # fmt: skip
    for error in errors[:5]:
        print("  error:", error)
    return 0 if not (duplicates or missing or extra or errors) else 1


if __name__ == "__main__":
    sys.exit(main())
