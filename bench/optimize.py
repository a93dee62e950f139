"""FSRS optimizer: fsrs-rs (what the settings page runs) side by side with the fsrs package's torch optimizer.

Run: .venv/bin/python bench/optimize.py [--runs 5] [--skip-baseline]
Simulated learners (tests/quiz/study_sim.py: reviews drawn from a hidden memory model). For each: the time of the
whole in-request procedure (log conversion, fit, time-series evaluation, retention suggestion) over repeated runs,
and the log loss of the default, fsrs-rs and fsrs-package parameters on the same reviews.
Goals: the whole procedure under 1 s for about 50,000 reviews; fsrs-rs log loss no worse than the package's + 0.005.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")

import django  # noqa: E402

django.setup()

import fsrs_rs_python as engine  # noqa: E402

from quiz.study.models import StudySettings  # noqa: E402
from quiz.study.services.optimize import (  # noqa: E402
    ReviewEvent,
    fsrs_evaluate_time_series,
    fsrs_fit,
    fsrs_history_build,
    retention_workload,
)
from tests.quiz.study_sim import learner_simulate  # noqa: E402

LEARNERS = {  # name: (cards, days, new per day)
    "600 cards, 60 days": (600, 60, 10),
    "3,000 cards, a year": (3000, 365, 12),
}
BANK_SIZE = 300  # about the bundled bank; the suggestion simulates the learner's whole deck
GOAL_SECONDS = 1.0
GOAL_LOSS_MARGIN = 0.005


def procedure(events: list[ReviewEvent]) -> tuple[float, list[float]]:
    """What one click on the settings page computes (no database), timed."""
    started = time.perf_counter()
    history = fsrs_history_build(events=events, zone=ZoneInfo("UTC"), day_start_hour=4)
    fitted = fsrs_fit(history=history, relearning_steps=1)
    fsrs_evaluate_time_series(history=history, current=list(engine.DEFAULT_PARAMETERS), relearning_steps=1)
    retention_workload(parameters=fitted, settings=StudySettings(), deck_size=BANK_SIZE)
    return time.perf_counter() - started, fitted


def package_fit(events: list[ReviewEvent]) -> tuple[float, list[float]]:
    import torch
    from fsrs import Rating, ReviewLog
    from fsrs.optimizer import Optimizer

    logs = [ReviewLog(card_id=e.card_id, rating=Rating(e.rating), review_datetime=e.reviewed_at, review_duration=None)
            for e in events]  # fmt: skip
    torch.manual_seed(42)
    started = time.perf_counter()
    parameters = [float(p) for p in Optimizer(logs).compute_optimal_parameters()]
    return time.perf_counter() - started, parameters


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-baseline", action="store_true", help="do not run the fsrs package's optimizer")
    args = parser.parse_args()
    missed = []
    for name, (cards, days, per_day) in LEARNERS.items():
        log = learner_simulate(cards=cards, days=days, new_per_day=per_day, seed=7)
        events = [ReviewEvent(r.card_id, r.rating, r.reviewed_at) for r in log]
        history = fsrs_history_build(events=events, zone=ZoneInfo("UTC"), day_start_hour=4)
        times, fitted = [], []
        for _ in range(args.runs):
            seconds, fitted = procedure(events)
            times.append(seconds)
        print(f"== {name}: {len(events):,} reviews, {len(history):,} usable")
        print(f"   fsrs-rs, fit + time-series evaluation + retention suggestion: median {statistics.median(times):.3f} s"
              f"  (min {min(times):.3f}, max {max(times):.3f}, {args.runs} runs)")  # fmt: skip
        losses = {"defaults": engine.FSRS(engine.DEFAULT_PARAMETERS).evaluate(history.items).log_loss,
                  "fsrs-rs": engine.FSRS(fitted).evaluate(history.items).log_loss}  # fmt: skip
        baseline_seconds = None
        big = len(events) > 20_000
        if not args.skip_baseline and not big:
            baseline_seconds, package = package_fit(events)
            losses["fsrs package"] = engine.FSRS(package).evaluate(history.items).log_loss
        print("   log loss on all reviews: " + "   ".join(f"{k} {v:.4f}" for k, v in losses.items()))
        if baseline_seconds is not None:
            fit_only = statistics.median(procedure(events)[0] for _ in range(3))
            print(f"   fsrs package optimizer (torch): {baseline_seconds:.1f} s  ->  {baseline_seconds / fit_only:,.0f}x"
                  f" the whole fsrs-rs procedure")  # fmt: skip
            if losses["fsrs-rs"] > losses["fsrs package"] + GOAL_LOSS_MARGIN:
                missed.append(
                    f"{name}: fsrs-rs log loss {losses['fsrs-rs']:.4f} > package {losses['fsrs package']:.4f}"
                )
        elif big:
            print("   (fsrs package optimizer skipped at this size: minutes of torch on this CPU)")
        if big and statistics.median(times) >= GOAL_SECONDS:
            missed.append(f"{name}: {statistics.median(times):.2f} s >= {GOAL_SECONDS} s")
    print("all goals met" if not missed else "goals missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
