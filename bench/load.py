"""Load with integrity: 50 learners study at once for at most 60 s against a real server (gunicorn on 127.0.0.1),
with duplicates: some answers are resent after the first reply (a retry), some are sent twice at the same moment
on two connections (a double click racing itself). Every answer must be stored exactly once.

Prints lost and doubled reviews (goal 0 each), errors (goal 0) and the p95 latency of the study calls beside the
p95 of a bare view measured in the same run under the same load (goal: at most GOAL_P95_RATIO times it; with no
think time the learners saturate the server, so absolute times measure the machine, the ratio the study code),
then `all goals met` or the goals missed. Reuses bench/study.py's
database preparation, learners and server; the same BENCH_DATABASE_URL (a SQLite file under var/ by default).

    .venv/bin/python bench/load.py [--learners 50] [--seconds 60] [--workers N] [--threads N]
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from study import ROOT, Learner, _pct, _prepare, server_start  # noqa: E402

GOAL_P95_RATIO = 1.3  # study call p95 / bare view p95, as in bench/study.py
RACE_SHARE = 0.05  # answers also sent at the same moment from a second connection


class TimedLearner(Learner):
    """bench/study.py's learner, running until a deadline instead of a number of rounds, with racing duplicates."""

    def __init__(self, port, user, deadline, seed, results):
        super().__init__(port, user, 10**9, seed, results)
        self.deadline, self.port = deadline, port
        self.raced = 0

    def race(self, review: dict) -> None:
        """The same answer from a second connection, released together with this one's resend."""
        start = threading.Barrier(2)
        twin = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        replies = []

        def send(connection):
            start.wait()
            connection.request("POST", "/api/study/reviews", body=json.dumps(review), headers=self.headers)
            response = connection.getresponse()
            replies.append((response.status, response.read()))

        other = threading.Thread(target=send, args=(twin,))
        other.start()
        send(self.conn)
        other.join()
        twin.close()
        self.raced += 1
        for status, data in replies:
            if status != 200 or not json.loads(data)["duplicate"]:  # the first answer was already stored
                self.errors.append(f"raced resend of {review['review_id']}: {status} {data[:120]!r}")

    def run(self):
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        while time.monotonic() < self.deadline:
            self.call("bare", "GET", "/bench/bare")
            nxt = self.call("next", "GET", "/api/study/next")
            if not nxt or not nxt["cards"]:
                continue
            review = {"card_id": nxt["cards"][0]["card_id"], "rating": self.rng.choice([1, 3, 3, 3, 4]),
                      "review_id": str(uuid.uuid4()), "duration_ms": self.rng.randint(1500, 9000)}  # fmt: skip
            if self.call("submit", "POST", "/api/study/reviews", review):
                self.submitted.add(review["review_id"])
            chance = self.rng.random()
            if chance < RACE_SHARE:
                self.race(review)
            elif chance < RACE_SHARE + 0.1:  # a retry after a lost reply
                again = self.call("submit", "POST", "/api/study/reviews", review)
                if again and not again["duplicate"]:
                    self.errors.append(f"resent review {review['review_id']} was not recognised as a duplicate")
        self.conn.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="at most this long (60 s in the issue)")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    database_url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'var' / 'bench_load.sqlite3'}"
    users = _prepare(database_url, args.learners)
    server, port = server_start(database_url, workers=args.workers, threads=args.threads)
    results = {"bare": [], "next": [], "submit": []}
    try:
        started = time.monotonic()
        deadline = started + args.seconds
        learners = [TimedLearner(port, user, deadline, seed, results) for seed, user in enumerate(users)]
        for learner in learners:
            learner.start()
        for learner in learners:
            learner.join()
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=20)

    from quiz.study.models import StudyReview

    submitted = set().union(*(learner.submitted for learner in learners))
    stored = Counter(str(review_id) for review_id in StudyReview.objects.filter(
        user_id__in=[user_id for user_id, _, _ in users]).values_list("review_id", flat=True))  # fmt: skip
    lost = len(submitted - set(stored))
    doubled = sum(count - 1 for count in stored.values()) + len(set(stored) - submitted)
    errors = [error for learner in learners for error in learner.errors]
    calls = results["next"] + results["submit"]  # the study calls
    if not results["submit"]:
        print("no answers were submitted:", errors[:3] or "no card was due")
        return 1
    p95, bare95 = _pct(calls, 0.95), _pct(results["bare"], 0.95)
    print(f"database: {database_url.split('@')[-1]}  learners: {args.learners}  for {elapsed:.1f} s")
    print(f"requests: {len(calls)} ({len(calls) / elapsed:.0f}/s)  answers: {len(submitted)}  "
          f"raced duplicates: {sum(learner.raced for learner in learners)}")  # fmt: skip
    print(
        f"  bare    p50={_pct(results['bare'], 0.5):7.1f} ms  p95={bare95:7.1f} ms  (same middleware and session, no work)"
    )
    print(f"  next    p50={_pct(results['next'], 0.5):7.1f} ms  p95={_pct(results['next'], 0.95):7.1f} ms")
    print(f"  submit  p50={_pct(results['submit'], 0.5):7.1f} ms  p95={_pct(results['submit'], 0.95):7.1f} ms")
    print(f"lost reviews: {lost} (goal 0)  doubled reviews: {doubled} (goal 0)  errors: {len(errors)} (goal 0)  "
          f"p95: {p95:.0f} ms = {p95 / bare95:.2f} x bare (goal <= {GOAL_P95_RATIO})")  # fmt: skip
    for error in errors[:5]:
        print("  error:", error)
    missed = [name for name, ok in (("lost reviews", lost == 0), ("doubled reviews", doubled == 0),
                                    ("errors", not errors), ("p95", p95 <= GOAL_P95_RATIO * bare95)) if not ok]  # fmt: skip
    print("all goals met" if not missed else "goals missed: " + ", ".join(missed))
    return 0 if not missed else 1


if __name__ == "__main__":
    sys.exit(main())
