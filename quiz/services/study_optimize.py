"""Fit FSRS parameters to one user's own review history with the fsrs optimizer (``fsrs[optimizer]``, torch)."""

import time

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from fsrs import Rating, ReviewLog
from fsrs.scheduler import DEFAULT_PARAMETERS

from quiz.services.study import study_settings_get
from quiz.study_models import StudyReview, StudySettings
from quizsite.queueing import enqueue_on_commit

# The optimizer keeps its default parameters below one mini-batch (512) of reviews made on a later day than
# the card's previous review: asking for fewer would only ever return the defaults.
OPTIMIZE_TASK = "study.optimize"  # the task's registered name (quiz/study/tasks.py); queued messages carry it
OPTIMIZE_MIN_REVIEWS = 512
ERROR_TOO_FEW = "Not enough review history yet: {have} of {need} reviews made a day or more after the previous one."
ERROR_QUEUE_UNREACHABLE = "The task queue could not be reached, so the fit did not start. Try again shortly."
ERROR_NO_OPTIMIZER = "The FSRS optimizer is not installed (fsrs[optimizer] needs torch)."


class OptimizeError(ValueError):
    pass


def _optimizer_class():
    try:
        from fsrs.optimizer import Optimizer
    except ImportError as exc:
        raise OptimizeError(ERROR_NO_OPTIMIZER) from exc
    return Optimizer


def study_review_logs(*, user) -> list[ReviewLog]:
    rows = StudyReview.objects.filter(user=user, undone_at__isnull=True).order_by("reviewed_at", "id")
    return [
        ReviewLog(card_id=card_id, rating=Rating(rating), review_datetime=at, review_duration=ms)
        for card_id, rating, at, ms in rows.values_list("card_id", "rating", "reviewed_at", "duration_ms")
    ]


def optimizable_review_count(logs: list[ReviewLog]) -> int:
    """Reviews the optimizer learns from: those a day or more after the same card's previous review."""
    last, count = {}, 0
    for log in sorted(logs, key=lambda log: log.review_datetime):
        previous = last.get(log.card_id)
        if previous and (log.review_datetime - previous).days > 0:
            count += 1
        last[log.card_id] = log.review_datetime
    return count


def fsrs_params_optimize(*, user, save: bool = True) -> dict:
    """Fit parameters to the user's reviews; report old and new parameters and the log-loss before and after.

    The new parameters are kept only if they lower the log-loss on the user's history."""
    logs = study_review_logs(user=user)
    have = optimizable_review_count(logs)
    if have < OPTIMIZE_MIN_REVIEWS:
        raise OptimizeError(ERROR_TOO_FEW.format(have=have, need=OPTIMIZE_MIN_REVIEWS))
    optimizer_class = _optimizer_class()
    import torch

    settings = study_settings_get(user=user)
    old = list(settings.parameters or DEFAULT_PARAMETERS)
    started = time.perf_counter()
    optimizer = optimizer_class(logs)
    torch.manual_seed(42)
    new = [float(p) for p in optimizer.compute_optimal_parameters()]
    with torch.no_grad():
        loss_before = optimizer._compute_batch_loss(parameters=old)  # mean log-loss over the same reviews
        loss_after = optimizer._compute_batch_loss(parameters=new)
    report = {
        "old": old,
        "new": new,
        "loss_before": loss_before,
        "loss_after": loss_after,
        "applied": loss_after < loss_before,
        "reviews": len(logs),
        "optimizable_reviews": have,
        "cards": len({log.card_id for log in logs}),
        "seconds": round(time.perf_counter() - started, 2),
        "at": timezone.now().isoformat(),
        "status": "done",
        "error": "",
    }
    if save:
        with transaction.atomic():
            settings.refresh_from_db()
            if report["applied"]:
                settings.parameters = new
            settings.optimize_report = report
            settings.save(update_fields=["parameters", "optimize_report", "updated_at"])
    return report


def fsrs_params_optimize_request(*, user) -> dict:
    """Queue a fit on the worker (it takes about 15 s per 1,000 reviews on a CPU core); returns the status."""
    logs = study_review_logs(user=user)
    have = optimizable_review_count(logs)
    if have < OPTIMIZE_MIN_REVIEWS:
        raise OptimizeError(ERROR_TOO_FEW.format(have=have, need=OPTIMIZE_MIN_REVIEWS))
    with transaction.atomic():
        settings = StudySettings.objects.select_for_update().get(pk=study_settings_get(user=user).pk)
        if settings.optimize_report.get("status") in {"queued", "running"}:
            return settings.optimize_report
        settings.optimize_report = {**settings.optimize_report, "status": "queued", "error": ""}
        settings.save(update_fields=["optimize_report", "updated_at"])
        enqueue_on_commit(OPTIMIZE_TASK, args=[user.pk], on_failure=lambda: _optimize_unqueued(user_id=user.pk))
    user.study_settings = settings
    return settings.optimize_report


def _optimize_unqueued(*, user_id: int) -> None:
    with transaction.atomic():
        settings = StudySettings.objects.select_for_update().get(user_id=user_id)
        settings.optimize_report = {**settings.optimize_report, "status": "failed", "error": ERROR_QUEUE_UNREACHABLE}
        settings.save(update_fields=["optimize_report", "updated_at"])


def fsrs_params_optimize_run(*, user_id: int) -> dict:
    """The worker's side: run the fit and record its report, or the error, on the user's settings."""
    user = get_user_model().objects.get(pk=user_id)
    StudySettings.objects.filter(user=user).update(
        optimize_report={**study_settings_get(user=user).optimize_report, "status": "running"}
    )
    try:
        report = fsrs_params_optimize(user=user)
    except Exception as error:  # shown on the settings page; the worker carries on
        settings = study_settings_get(user=user)
        settings.refresh_from_db()
        settings.optimize_report = {**settings.optimize_report, "status": "failed", "error": str(error)[:500]}
        settings.save(update_fields=["optimize_report", "updated_at"])
        return settings.optimize_report
    return report
