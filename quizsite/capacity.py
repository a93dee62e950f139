"""Fair share of the workers, and the sweep that re-sends what the broker missed.

Every heavy job counts while it is *in flight* (sent to a queue, or running). The kinds (`job_kinds`):
- a demo run (demos queue), queued or running;
- an interview grading (cpu queue): an interview being graded whose task was sent;
- a typed-answer grading (cpu queue): a quiz with typed answers waiting for a grade whose task was sent (one task
  grades every waiting answer of the quiz, so a quiz is one job however many answers wait);
- an exercise run (cpu queue): a run of a learner's code, sent, or running in the sandbox.
Bank embeddings are one job for everyone, sent at most once per sweep; the FSRS optimizer runs inside its request
(fsrs-rs, well under a second) and is not a job.

- Per user: at most settings.CAPACITY_USER_JOBS in flight, all kinds together. A demo past it is refused with a
  message (429). The other kinds are *held* (the row kept, its sent time empty, no message sent) and released as
  that user's earlier jobs finish: an interview's report says it waits for the earlier ones, a typed answer's page
  keeps polling until its grade is there, an exercise run shows "waiting for a free worker" and then its result.
  So a learner who finishes thirty interviews, or answers typed questions in ten quizzes, has three jobs in the cpu
  queue, and anyone else's job waits behind at most three of theirs: within a queue, users take turns (released in
  order of the fewest jobs in flight, then the oldest, whatever the kind).
- For everyone: at most settings.CAPACITY_GLOBAL_JOBS in flight; demos past it are refused, the others held.

The sweep (run every settings.CAPACITY_SWEEP_SECONDS by the cpu worker, quizsite/tasks.py) first recovers, by
each kind's own rule (`recover`), what the broker never took: an interview grading is failed with a message and
held again here, a typed grading is held again at once, an exercise run ends with a verdict that says so (the
learner runs it again); and what it lost: a job sent minutes ago that never started is held again, an exercise run
whose worker died is ended past the time limit, so that nothing counts against a share for ever. Then it releases
held jobs, and asks for the bank embeddings when cards have none. A cpu job that finishes releases the next ones
too (its task calls `jobs_release`). Imports of the apps happen inside functions: the apps' services import this.
"""

import functools
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Count, Expression, F, QuerySet
from django.utils import timezone

log = logging.getLogger(__name__)

EMBED_RESEND_SECONDS = 120  # the embedding task, once sent, gets this long before the sweep asks again
_embed_sent_at: float = 0.0

DEMO, INTERVIEW_GRADING, TYPED_GRADING, EXERCISE_RUN = "demo", "interview grading", "typed grading", "exercise run"


@dataclass(frozen=True)
class JobKind:
    """One kind of heavy job, as rows with a `user`: `unfinished()` its jobs held or in flight; `sent_field` the
    time the job was sent (empty: held); the held go out oldest first by `since()`; `send(pk)` sends one and
    `recover(now)` puts back what the broker never took or lost (None for a demo: refused, never held)."""

    unfinished: Callable[[], QuerySet]
    sent_field: str
    since: Callable[[], F | Expression] | None = None
    send: Callable[[int], bool] | None = None
    recover: Callable[[datetime], int] | None = None

    def in_flight(self) -> QuerySet:
        return self.unfinished().filter(**{f"{self.sent_field}__isnull": False})

    def held(self) -> QuerySet:
        return self.unfinished().filter(**{f"{self.sent_field}__isnull": True})


@functools.cache
def job_kinds() -> dict[str, JobKind]:
    from demos.models import DemoRun
    from quiz.exams.models import Interview
    from quiz.exams.services import interview, quiz_grading
    from quiz.exercises import services as exercises
    from quiz.exercises.models import ExerciseAttempt

    return {
        DEMO: JobKind(
            unfinished=lambda: DemoRun.objects.filter(status__in=[DemoRun.Status.QUEUED, DemoRun.Status.RUNNING]),
            sent_field="queued_at",
        ),
        INTERVIEW_GRADING: JobKind(
            unfinished=lambda: Interview.objects.filter(status=Interview.Status.GRADING),
            sent_field="grading_queued_at",
            since=lambda: F("finished_at"),
            send=lambda pk: interview.interview_grade_send(interview_id=pk),
            recover=lambda now: interview.interview_gradings_recover(now=now),
        ),
        TYPED_GRADING: JobKind(
            unfinished=quiz_grading.quizzes_awaiting_grades,
            sent_field="grading_queued_at",
            since=quiz_grading.awaiting_since,
            send=lambda pk: quiz_grading.quiz_grade_send(quiz_id=pk),
            recover=lambda now: quiz_grading.quiz_gradings_recover(now=now),
        ),
        EXERCISE_RUN: JobKind(
            unfinished=lambda: ExerciseAttempt.objects.filter(status__in=exercises.UNFINISHED),
            sent_field="queued_at",
            since=lambda: F("created_at"),
            send=lambda pk: exercises.exercise_run_send(attempt_id=pk),
            recover=lambda now: exercises.exercise_runs_recover(now=now),
        ),
    }


def user_jobs_in_flight(*, user_id: int) -> int:
    return sum(kind.in_flight().filter(user_id=user_id).count() for kind in job_kinds().values())


def jobs_in_flight() -> int:
    return sum(kind.in_flight().count() for kind in job_kinds().values())


def user_has_room(*, user_id: int) -> bool:
    return (
        user_jobs_in_flight(user_id=user_id) < settings.CAPACITY_USER_JOBS
        and jobs_in_flight() < settings.CAPACITY_GLOBAL_JOBS
    )


def _send(kind: JobKind, pk: int) -> bool:
    """Claim a held job (its sent time set, only while still empty: of two releasers only one sends it), then send
    it."""
    if not kind.held().filter(pk=pk).update(**{kind.sent_field: timezone.now()}):
        return False
    return kind.send(pk)


def job_start(kind_name: str, *, pk: int) -> bool:
    """A new (or retried) job of a holdable kind: held, then sent at once if its user's share and the global cap
    allow. Held first, so that a row sent before (a retry, a quiz's next typed answer) does not count against
    itself. Returns whether it was sent."""
    kind = job_kinds()[kind_name]
    rows = kind.unfinished().model.objects.filter(pk=pk)
    rows.update(**{kind.sent_field: None})
    user_id = rows.values_list("user_id", flat=True).first()
    if user_id is None or not user_has_room(user_id=user_id):
        return False
    return _send(kind, pk)


def jobs_release(*, limit: int = 100) -> int:
    """Send held jobs of every kind while budgets allow, one at a time to the user with the fewest jobs in flight
    (ties: the oldest job): round robin. Returns how many were sent."""
    kinds = job_kinds()
    held = []  # (since, kind name, pk, user_id), oldest first
    for name, kind in kinds.items():
        if kind.send is None:
            continue
        rows = kind.held().annotate(held_since=kind.since()).order_by("held_since", "pk")
        held += [(since, name, pk, user_id) for since, pk, user_id in
                 rows.values_list("held_since", "pk", "user_id")[: limit * 4]]  # fmt: skip
    if not held:
        return 0
    held.sort(key=lambda row: (row[0], row[1], row[2]))
    load = Counter()
    for kind in kinds.values():
        for user_id, n in kind.in_flight().values("user_id").annotate(n=Count("pk")).values_list("user_id", "n"):
            load[user_id] += n
    total = sum(load.values())
    sent = 0
    while held and sent < limit and total < settings.CAPACITY_GLOBAL_JOBS:
        index = min(range(len(held)), key=lambda i: (load[held[i][3]], i))
        _since, name, pk, user_id = held[index]
        if load[user_id] >= settings.CAPACITY_USER_JOBS:
            break  # the least-loaded user is full, so is everyone
        held.pop(index)
        if _send(kinds[name], pk):
            load[user_id] += 1
            total += 1
            sent += 1
    return sent


def jobs_recover(*, now=None) -> int:
    """Each kind's jobs the broker never took (it was away) or lost, put back to be sent. Returns how many."""
    now = now or timezone.now()
    return sum(kind.recover(now) for kind in job_kinds().values() if kind.recover is not None)


def embeddings_request() -> bool:
    """Ask the cpu worker for the bank's missing vectors, at most once per EMBED_RESEND_SECONDS."""
    import time

    from quiz.bank.services.embeddings import bank_embed_enqueue, cards_missing_vectors

    global _embed_sent_at
    if time.monotonic() - _embed_sent_at < EMBED_RESEND_SECONDS or not cards_missing_vectors():
        return False
    _embed_sent_at = time.monotonic()
    return bank_embed_enqueue()


def capacity_sweep() -> dict:
    """One pass: recover what the broker missed, release held jobs, request missing embeddings."""
    resent = jobs_recover()
    released = jobs_release()
    embed = embeddings_request()
    if resent or released or embed:
        log.info("sweep: %d jobs recovered, %d released, embeddings requested: %s", resent, released, embed)
    return {"resent": resent, "released": released, "embed": embed}
