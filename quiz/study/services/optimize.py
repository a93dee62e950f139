"""Fit, evaluate and tune a learner's FSRS parameters with fsrs-rs, the Rust FSRS engine that Anki uses.

It runs inside the request: fitting 50,000 reviews takes a fraction of a second (bench/optimize.py), so there is
no queue, no polling and nothing left "queued" when the broker is down. Scheduling itself stays with the fsrs
package (quiz/services/study.py); tests check that both give the same intervals for the fitted parameters.

What Anki's FSRS options do, and so do we:
- the review log becomes one FSRS item per review made on a later study day than the card's previous one (the
  first review of that day); the item carries the card's whole history up to it, same-day learning and
  relearning steps included with a delay of 0 days, which is what the short-term parameters learn from;
- log loss and RMSE (bins) of the current and the fitted parameters on the learner's history, measured with a
  time-series split: each fold is fitted on the reviews before it and evaluated on it, never on what it saw;
- the new parameters are kept only if they predict the held-out reviews better;
- a suggested desired retention from the engine's simulator (the retention with the least work per card
  remembered), and the expected daily workload at a few retentions.
Where we differ: the engine decides whether the history is enough (it returns the defaults unchanged when it is
not, and we say so) instead of a fixed minimum; the evaluation is always time-series split.
"""

import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import fsrs_rs_python as engine
from django.db import transaction
from django.utils import timezone
from fsrs.scheduler import DEFAULT_PARAMETERS

from quiz.bank.models import Card
from quiz.study.models import StudyReview, StudySettings
from quiz.study.services.study import study_settings_get, study_zone

EVALUATION_FOLDS = 5  # time-series folds, as sklearn's TimeSeriesSplit(5): fit on the past, test on the next part
WORKLOAD_RETENTIONS = (0.80, 0.85, 0.90, 0.95)
SIMULATION_DAYS = 365
SIMULATION_SEED = 42

MESSAGE_NO_HISTORY = "No reviews yet: study a few days first, then fit your parameters here."
MESSAGE_ENGINE_KEPT_DEFAULTS = (
    "The FSRS engine needs more history before it changes anything: it kept the default parameters for your {items} "
    "usable reviews (reviews made on a later day than the card's previous review). Keep studying and try again."
)
MESSAGE_TOO_FEW_TO_EVALUATE = (
    "Too few usable reviews to test a fit on reviews it has not seen ({items}; at least {need} are needed)."
)


@dataclass(frozen=True)
class ReviewEvent:
    card_id: int
    rating: int  # 1..4
    reviewed_at: datetime


@dataclass
class FsrsHistory:
    """FSRS items ordered by the time of their last review, with the card each belongs to."""

    items: list
    card_ids: list[int]

    def __len__(self) -> int:
        return len(self.items)


def study_review_events(*, user) -> list[ReviewEvent]:
    rows = StudyReview.objects.filter(user=user, undone_at__isnull=True).order_by("reviewed_at", "id")
    return [ReviewEvent(*row) for row in rows.values_list("card_id", "rating", "reviewed_at")]


def fsrs_history_build(*, events: list[ReviewEvent], zone: ZoneInfo, day_start_hour: int) -> FsrsHistory:
    """Anki's conversion of a review log into FSRS items (see the module docstring)."""

    def study_day(moment: datetime):
        return (moment.astimezone(zone) - timedelta(hours=day_start_hour)).date()

    per_card: dict[int, list[ReviewEvent]] = defaultdict(list)
    for event in sorted(events, key=lambda event: event.reviewed_at):
        per_card[event.card_id].append(event)
    ended = []
    for card_id, card_events in per_card.items():
        reviews, previous_day = [], None
        for event in card_events:
            day = study_day(event.reviewed_at)
            delta_days = 0 if previous_day is None else (day - previous_day).days
            reviews.append(engine.FSRSReview(event.rating, delta_days))
            previous_day = day
            if len(reviews) > 1 and delta_days > 0:
                ended.append((event.reviewed_at, card_id, engine.FSRSItem(list(reviews))))
    ended.sort(key=lambda entry: (entry[0], entry[1]))
    return FsrsHistory(items=[item for *_, item in ended], card_ids=[card_id for _, card_id, _ in ended])


def fsrs_fit(*, history: FsrsHistory, relearning_steps: int) -> list[float]:
    model = engine.FSRS(engine.DEFAULT_PARAMETERS)
    fitted = model.compute_parameters(history.items, card_ids=history.card_ids, enable_short_term=True,
                                      num_relearning_steps=relearning_steps)  # fmt: skip
    return [float(weight) for weight in fitted]


def _is_default(parameters: list[float]) -> bool:
    return all(abs(a - b) < 1e-6 for a, b in zip(parameters, engine.DEFAULT_PARAMETERS, strict=True))


def fsrs_evaluate_time_series(*, history: FsrsHistory, current: list[float], relearning_steps: int) -> dict:
    """Held-out log loss and RMSE (bins) of the current parameters and of fitting, fold by fold in time order."""
    size = len(history) // (EVALUATION_FOLDS + 1)
    totals = {"current": [0.0, 0.0], "fitted": [0.0, 0.0]}  # sums of log loss x n and rmse^2 x n
    tested = 0
    for fold in range(1, EVALUATION_FOLDS + 1):
        start, stop = fold * size, (fold + 1) * size if fold < EVALUATION_FOLDS else len(history)
        past = FsrsHistory(history.items[:start], history.card_ids[:start])
        test_items = history.items[start:stop]
        fitted = fsrs_fit(history=past, relearning_steps=relearning_steps)
        for name, parameters in (("current", current), ("fitted", fitted)):
            evaluation = engine.FSRS(parameters).evaluate(test_items)
            totals[name][0] += evaluation.log_loss * len(test_items)
            totals[name][1] += evaluation.rmse_bins**2 * len(test_items)
        tested += len(test_items)
    return {
        name: {"log_loss": round(loss / tested, 4), "rmse_bins": round((square / tested) ** 0.5, 4)}
        for name, (loss, square) in totals.items()
    } | {"tested_reviews": tested}


def retention_workload(*, parameters: list[float], settings: StudySettings, deck_size: int) -> dict:
    """The engine's suggested desired retention and the simulated daily workload at a few retentions."""
    config = engine.default_simulator_config()
    config.deck_size = deck_size
    config.learn_span = SIMULATION_DAYS
    config.learn_limit = settings.new_per_day
    config.review_limit = settings.reviews_per_day
    config.max_ivl = float(settings.maximum_interval)
    suggested = float(engine.optimal_retention(config, parameters))
    rows = []
    for retention in WORKLOAD_RETENTIONS:
        run = engine.simulate(parameters, retention, config, SIMULATION_SEED)
        days = len(run.review_cnt_per_day) or 1
        rows.append({
            "retention": retention,
            "reviews_per_day": round(sum(run.review_cnt_per_day) / days, 1),
            "minutes_per_day": round(sum(run.cost_per_day) / days / 60, 1),
            "remembered": round(float(run.memorized_cnt_per_day[-1])) if run.memorized_cnt_per_day else 0,
        })  # fmt: skip
    return {"suggested_retention": round(suggested, 2), "workload": rows, "deck_size": deck_size,
            "days": SIMULATION_DAYS}  # fmt: skip


class OptimizeError(ValueError):
    """The fit could not run; the message is shown to the learner as is."""


def fsrs_params_optimize(*, user, save: bool = True) -> dict:
    """Fit the learner's parameters, evaluate current and fitted on held-out reviews, keep the better; report."""
    started = time.perf_counter()
    settings = study_settings_get(user=user)
    events = study_review_events(user=user)
    if not events:
        raise OptimizeError(MESSAGE_NO_HISTORY)
    history = fsrs_history_build(events=events, zone=study_zone(settings=settings),
                                 day_start_hour=settings.day_start_hour)  # fmt: skip
    relearning_steps = len(settings.relearning_steps or [])
    current = list(settings.parameters or DEFAULT_PARAMETERS)
    fitted = fsrs_fit(history=history, relearning_steps=relearning_steps)
    report = {
        "reviews": len(events),
        "usable_reviews": len(history),
        "cards": len({event.card_id for event in events}),
        "old": current,
        "new": fitted,
        "applied": False,
        "message": "",
        "at": timezone.now().isoformat(),
    }
    if _is_default(fitted):
        report["message"] = MESSAGE_ENGINE_KEPT_DEFAULTS.format(items=len(history))
    elif len(history) < 2 * (EVALUATION_FOLDS + 1):
        need = 2 * (EVALUATION_FOLDS + 1)
        report["message"] = MESSAGE_TOO_FEW_TO_EVALUATE.format(items=len(history), need=need)
    else:
        report["evaluation"] = fsrs_evaluate_time_series(history=history, current=current,
                                                         relearning_steps=relearning_steps)  # fmt: skip
        report["applied"] = report["evaluation"]["fitted"]["log_loss"] < report["evaluation"]["current"]["log_loss"]
    in_use = fitted if report["applied"] else current
    deck_size = max(Card.objects.in_use().count(), report["cards"], 1)
    report["retention"] = retention_workload(parameters=in_use, settings=settings, deck_size=deck_size)
    report["seconds"] = round(time.perf_counter() - started, 3)
    if save:
        with transaction.atomic():
            settings.refresh_from_db()
            if report["applied"]:
                settings.parameters = fitted
            settings.optimize_report = report
            settings.save(update_fields=["parameters", "optimize_report", "updated_at"])
    return report
