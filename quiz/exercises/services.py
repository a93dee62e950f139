"""Coding exercises: loading the bundled exercises, saving a learner's code, sending a run to the worker and
recording its verdict. Solved exercises put their bank card into the learner's study deck.

A run is one of the learner's heavy jobs (quizsite/capacity.py): past their share of the workers it is held
(queued_at empty; the page says it waits for a free worker) and sent as their earlier jobs finish."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from quiz.bank.models import Card
from quiz.exercises.models import Exercise, ExerciseAttempt, ExerciseDraft
from quiz.study.models import StudyFlag
from quizsite.queueing import enqueue_on_commit

log = logging.getLogger(__name__)
RUN_TASK = "exercises.run"  # the task's registered name (quiz/exercises/tasks.py); queued messages carry it

DATA_DIR = Path(__file__).resolve().parent / "data"
CODE_MAX_CHARS = 20_000
REQUIRED = ("slug", "title", "topic", "statement", "starter", "tests", "solution", "hints", "tolerance", "card")
OPTIONAL = ("difficulty", "demo", "demo_params")
ACTIVE_RUN_SECONDS = 60  # a queued or running attempt younger than this blocks another Run by the same learner
UNFINISHED = (ExerciseAttempt.Status.QUEUED, ExerciseAttempt.Status.RUNNING)
LOST_SECONDS = 300  # sent this long ago and not started: the message was lost (the sweep sends it again)
RUNNING_LOST_MARGIN = 30  # running past the task's hard time limit plus this: its worker process is gone
MESSAGE_UNQUEUED = "The run could not be queued; try again shortly."
MESSAGE_WORKER_LOST = "The worker stopped while running this code; run it again."


class ExerciseError(ValueError):
    """Bad exercise data or bad input: the message says what to fix."""


@dataclass
class LoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    slugs: list[str] = field(default_factory=list)


def exercise_files_read(*, directory: Path = DATA_DIR) -> list[dict]:
    """Every exercise file, validated (unknown keys, missing fields, card and demo slugs); in file-name order."""
    from demos.kinds import KINDS

    exercises, errors, seen = [], [], set()
    for position, path in enumerate(sorted(directory.glob("*.yaml")), start=1):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            errors.append(f"{path.name}: not valid YAML ({exc})")
            continue
        if not isinstance(data, dict):
            errors.append(f"{path.name}: expected a mapping")
            continue
        missing = [key for key in REQUIRED if not data.get(key)]
        unknown = sorted(set(data) - set(REQUIRED) - set(OPTIONAL))
        if missing or unknown:
            errors.append(f"{path.name}: missing {missing} unknown {unknown}")
            continue
        if data["slug"] in seen:
            errors.append(f"{path.name}: slug {data['slug']} used twice")
        seen.add(data["slug"])
        if data.get("demo") and data["demo"] not in KINDS:
            errors.append(f"{path.name}: unknown demo {data['demo']!r}")
        if not isinstance(data["hints"], list):
            errors.append(f"{path.name}: hints must be a list")
        for key in ("starter", "tests", "solution"):
            try:
                compile(data[key], f"{path.name}:{key}", "exec")
            except SyntaxError as exc:
                errors.append(f"{path.name}: {key} does not compile ({exc})")
        exercises.append({**data, "position": position, "file": path.name})
    card_slugs = set(Card.objects.filter(slug__in=[e["card"] for e in exercises]).values_list("slug", flat=True))
    for exercise in exercises:
        if exercise["card"] not in card_slugs:
            errors.append(f"{exercise['file']}: no bank card {exercise['card']!r} (load the bank first)")
    if errors:
        raise ExerciseError("\n".join(errors))
    return exercises


def _fields(data: dict) -> dict:
    return {
        "title": data["title"],
        "position": data["position"],
        "topic": data["topic"],
        "difficulty": int(data.get("difficulty", Exercise.Difficulty.CORE)),
        "statement": data["statement"].strip(),
        "starter": data["starter"].rstrip() + "\n",
        "tests": data["tests"],
        "solution": data["solution"].rstrip() + "\n",
        "hints": list(data["hints"]),
        "tolerance": data["tolerance"].strip(),
        "card_id": Card.objects.get(slug=data["card"]).pk,
        "demo_slug": data.get("demo", ""),
        "demo_params": data.get("demo_params") or {},
    }


@transaction.atomic
def exercises_load(*, directory: Path = DATA_DIR) -> LoadReport:
    """Create or update the bundled exercises; safe to run again (unchanged rows are not written)."""
    report = LoadReport()
    for data in exercise_files_read(directory=directory):
        values = _fields(data)
        report.slugs.append(data["slug"])
        exercise = Exercise.objects.filter(slug=data["slug"]).first()
        if exercise is None:
            Exercise.objects.create(slug=data["slug"], **values)
            report.created += 1
            continue
        changed = {key: value for key, value in values.items() if getattr(exercise, key) != value}
        if not changed:
            report.unchanged += 1
            continue
        for key, value in changed.items():
            setattr(exercise, key, value)
        exercise.save()
        report.updated += 1
    return report


def exercise_code_for(*, user, exercise: Exercise) -> str:
    """The learner's last code, or the starter."""
    if user.is_authenticated:
        draft = ExerciseDraft.objects.filter(user=user, exercise=exercise).first()
        if draft is not None:
            return draft.code
    return exercise.starter


def _code_clean(code: str) -> str:
    if not isinstance(code, str) or not code.strip():
        raise ExerciseError("There is no code to run.")
    if len(code) > CODE_MAX_CHARS:
        raise ExerciseError(f"The code is {len(code)} characters long; the limit is {CODE_MAX_CHARS}.")
    return code.replace("\r\n", "\n")


def exercise_draft_save(*, user, exercise: Exercise, code: str) -> ExerciseDraft:
    code = _code_clean(code)
    draft, _ = ExerciseDraft.objects.update_or_create(user=user, exercise=exercise, defaults={"code": code})
    return draft


def exercise_run_start(*, user, exercise: Exercise, code: str, sandbox_reason: str | None = None) -> ExerciseAttempt:
    """Save the code, record an attempt and send it to the worker once the rows are committed.

    When the sandbox is unavailable the attempt is recorded with that verdict and nothing runs."""
    from worker.sandbox import sandbox_unavailable_reason

    code = _code_clean(code)
    recent = timezone.now() - timedelta(seconds=ACTIVE_RUN_SECONDS)
    with transaction.atomic():
        exercise_draft_save(user=user, exercise=exercise, code=code)
        active = ExerciseAttempt.objects.filter(user=user, status__in=["queued", "running"], created_at__gte=recent)
        if active.exists():
            raise ExerciseError("A run is already in progress; wait for its verdict.")
        reason = sandbox_unavailable_reason() if sandbox_reason is None else sandbox_reason
        if reason:
            return ExerciseAttempt.objects.create(user=user, exercise=exercise, code=code, status="done",
                                                  verdict="unavailable", message=reason,
                                                  finished_at=timezone.now())  # fmt: skip
        attempt = ExerciseAttempt.objects.create(user=user, exercise=exercise, code=code)
        exercise_run_enqueue(attempt_id=attempt.pk)
    attempt.refresh_from_db(fields=["queued_at"])
    return attempt


def exercise_run_enqueue(*, attempt_id: int) -> bool:
    """Send the run to the cpu worker once this commits, or hold it for the learner's share of the workers
    (quizsite/capacity.py). Returns whether it was sent."""
    from quizsite.capacity import EXERCISE_RUN, job_start

    return job_start(EXERCISE_RUN, pk=attempt_id)


def exercise_run_send(*, attempt_id: int) -> bool:
    ExerciseAttempt.objects.filter(pk=attempt_id).update(queued_at=timezone.now())
    enqueue_on_commit(RUN_TASK, args=[attempt_id], on_failure=lambda: _unqueued(attempt_id))
    return True


def _unqueued(attempt_id: int) -> None:
    """The broker is down: the learner sees a verdict instead of waiting forever."""
    ExerciseAttempt.objects.filter(pk=attempt_id, status="queued").update(
        status="done", verdict="sandbox_error", message=MESSAGE_UNQUEUED, finished_at=timezone.now())  # fmt: skip


def exercise_runs_recover(*, now) -> int:
    """For the sweep (quizsite/capacity.py), so that no run counts against its learner's share for ever: a run sent
    LOST_SECONDS ago and not started is held again (sent again by budget; a late first message finds it done), one
    running past the task's time limit ends with a verdict that says its worker is gone. Returns how many."""
    attempts = ExerciseAttempt.objects
    lost = attempts.filter(status="queued", queued_at__lt=now - timedelta(seconds=LOST_SECONDS))
    count = lost.update(queued_at=None)
    limit = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT + RUNNING_LOST_MARGIN)
    return count + attempts.filter(status="running", started_at__lt=now - limit).update(
        status="done", verdict="crashed", message=MESSAGE_WORKER_LOST, finished_at=now)  # fmt: skip


def exercise_run_execute(*, attempt_id: int, worker: str = "") -> ExerciseAttempt | None:
    """On the worker: run the attempt in the sandbox and record the verdict; a finished attempt is left alone."""
    from worker.sandbox import sandbox_run

    now = timezone.now()
    # a held attempt run by an earlier message (it was lost, and held again) counts as sent from now on
    updated = ExerciseAttempt.objects.filter(pk=attempt_id, status__in=UNFINISHED).update(
        status="running", started_at=now, queued_at=Coalesce("queued_at", now), worker=worker[:200])  # fmt: skip
    if not updated:
        return None
    attempt = ExerciseAttempt.objects.select_related("exercise", "user").get(pk=attempt_id)
    reply = sandbox_run(code=attempt.code, tests=attempt.exercise.tests)
    attempt.status, attempt.verdict = "done", reply["verdict"]
    attempt.message = reply.get("message", "")[:5000]
    attempt.results = reply.get("tests", [])
    attempt.output = reply.get("output", "")
    attempt.run_seconds = reply.get("seconds")
    attempt.sandbox_start_seconds = reply.get("sandbox_start_seconds")
    attempt.finished_at = timezone.now()
    attempt.save()
    if attempt.verdict == "passed":
        exercise_solved(user=attempt.user, exercise=attempt.exercise)
    return attempt


def exercise_solved(*, user, exercise: Exercise) -> None:
    """A solved exercise comes back for review as its bank card: the card joins the learner's deck (flagged
    "exercise"); a card already in the deck keeps its schedule. The card's review page links back here."""
    from quiz.study.services.study import cards_add_to_study

    if exercise.card_id is None:
        return
    cards_add_to_study(user=user, card_ids=[exercise.card_id], due_now=False, source=StudyFlag.Source.EXERCISE)


def exercises_with_progress(*, user) -> list[dict]:
    """Every exercise with the learner's state: "solved", "tried" or ""."""
    solved, tried = set(), set()
    if user.is_authenticated:
        for exercise_id, verdict in ExerciseAttempt.objects.filter(user=user).values_list("exercise_id", "verdict"):
            (solved if verdict == "passed" else tried).add(exercise_id)
    return [
        {"exercise": exercise, "state": "solved" if exercise.pk in solved else "tried" if exercise.pk in tried else ""}
        for exercise in Exercise.objects.select_related("card")
    ]


def attempt_of_user(*, user, attempt_id: int) -> ExerciseAttempt:
    """Someone else's attempt is a DoesNotExist (a 404 in the views)."""
    return ExerciseAttempt.objects.select_related("exercise").get(pk=attempt_id, user=user)
