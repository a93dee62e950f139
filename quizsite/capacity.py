"""Fair share of the workers, and the sweep that re-sends what the broker missed.

Every heavy job counts while it is *in flight* (sent to a queue, or running): a demo run (queued or running) and a
grading (an interview being graded whose task was sent). Bank embeddings are one job for everyone, sent at most
once per sweep; the FSRS optimizer runs inside its request (fsrs-rs, well under a second) and is not a job.

- Per user: at most settings.CAPACITY_USER_JOBS in flight. A demo past it is refused with a message (429); a
  grading past it is *held* (kept, not sent) and released as that user's earlier jobs finish. So a learner who
  finishes thirty interviews has three gradings in the cpu queue, and anyone else's job waits behind at most three
  of theirs: within a queue, users take turns (released in order of the fewest jobs in flight, then the oldest).
- For everyone: at most settings.CAPACITY_GLOBAL_JOBS in flight; demos past it are refused, gradings held.

The sweep (run every settings.CAPACITY_SWEEP_SECONDS by the cpu worker, quizsite/tasks.py) releases held
gradings, re-sends gradings the broker never took (it was away: the interview says so) or lost, and asks for the
bank embeddings when cards have none. Imports of the apps happen inside functions: the apps' services import this.
"""

import logging

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

log = logging.getLogger(__name__)

EMBED_RESEND_SECONDS = 120  # the embedding task, once sent, gets this long before the sweep asks again
_embed_sent_at: float = 0.0


def _demo_in_flight():
    from demos.models import DemoRun

    return DemoRun.objects.filter(status__in=[DemoRun.Status.QUEUED, DemoRun.Status.RUNNING])


def _gradings_in_flight():
    from quiz.exams.models import Interview

    return Interview.objects.filter(status=Interview.Status.GRADING, grading_queued_at__isnull=False)


def user_jobs_in_flight(*, user_id: int) -> int:
    return _demo_in_flight().filter(user_id=user_id).count() + _gradings_in_flight().filter(user_id=user_id).count()


def jobs_in_flight() -> int:
    return _demo_in_flight().count() + _gradings_in_flight().count()


def user_has_room(*, user_id: int) -> bool:
    return (
        user_jobs_in_flight(user_id=user_id) < settings.CAPACITY_USER_JOBS
        and jobs_in_flight() < settings.CAPACITY_GLOBAL_JOBS
    )


def gradings_release(*, limit: int = 100) -> int:
    """Send held gradings while budgets allow, users with the fewest jobs in flight first. Returns how many."""
    from quiz.exams.models import Interview
    from quiz.exams.services.interview import interview_grade_send

    held = list(
        Interview.objects.filter(status=Interview.Status.GRADING, grading_queued_at__isnull=True)
        .order_by("finished_at", "pk")
        .values_list("pk", "user_id")[: limit * 4]
    )
    if not held:
        return 0
    load = dict(
        _demo_in_flight().values("user_id").annotate(n=Count("pk")).values_list("user_id", "n")
    )  # fmt: skip
    for user_id, n in _gradings_in_flight().values("user_id").annotate(n=Count("pk")).values_list("user_id", "n"):
        load[user_id] = load.get(user_id, 0) + n
    total = sum(load.values())
    sent = 0
    while held and sent < limit and total < settings.CAPACITY_GLOBAL_JOBS:
        # the held interview of the least-loaded user (ties: the oldest), one at a time: round robin
        index = min(range(len(held)), key=lambda i: (load.get(held[i][1], 0), i))
        interview_id, user_id = held[index]
        if load.get(user_id, 0) >= settings.CAPACITY_USER_JOBS:
            break  # the least-loaded user is full, so is everyone
        held.pop(index)
        if interview_grade_send(interview_id=interview_id):
            load[user_id] = load.get(user_id, 0) + 1
            total += 1
            sent += 1
    return sent


def gradings_resend(*, now=None) -> int:
    """Gradings the broker never took (it was away) or lost: back to held, then released by budget."""
    from quiz.exams.models import Interview
    from quiz.exams.services.interview import ERROR_QUEUE_UNREACHABLE, REQUEUE_AFTER

    now = now or timezone.now()
    unqueued = Interview.objects.filter(status=Interview.Status.FAILED, grading_error=ERROR_QUEUE_UNREACHABLE)
    count = unqueued.update(status=Interview.Status.GRADING, grading_error="", grading_queued_at=None)
    lost = _gradings_in_flight().filter(graded_count=0, grading_queued_at__lt=now - REQUEUE_AFTER * 20)
    return count + lost.update(grading_queued_at=None)


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
    """One pass: re-send what the broker missed, release held gradings, request missing embeddings."""
    resent = gradings_resend()
    released = gradings_release()
    embed = embeddings_request()
    if resent or released or embed:
        log.info("sweep: %d gradings re-sent, %d released, embeddings requested: %s", resent, released, embed)
    return {"resent": resent, "released": released, "embed": embed}
