"""Interview-date mode against plain FSRS on a simulated learner (tests/quiz/study_sim.py: a hidden memory model
that forgets faster than FSRS's defaults assume).

Run: .venv/bin/python bench/interview_plan.py [--seeds 10]
The learner sets an interview date, then studies every day up to it: 20 new cards a day, learning steps always,
reviews up to the daily limit. Reported: mean true recall of all cards on the interview morning, cards under 90%,
the busiest day's reviews. Seeds 0-4 were looked at while writing the rule; the goal is judged on seeds 5 and up.
Goals: where the learner keeps up (60 or 200 reviews a day), recall on the day higher than plain FSRS on average;
where the limit is too tight to keep up (40 a day, a backlog forms), no lower than plain FSRS (within 0.005): the
plan stands aside while the learner is behind; and never a day above the limit.
"""

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quizsite.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-insecure-key")

import django  # noqa: E402

django.setup()

from tests.quiz.study_sim import learner_prepare  # noqa: E402

TIGHT_MARGIN = 0.005
SCENARIOS = {  # name: (cards, days to the interview, review limit, must beat plain FSRS (else: not lose to it))
    "300 cards, interview in 30 days, 60 reviews/day": (300, 30, 60, True),
    "200 cards, interview in 21 days, 60 reviews/day": (200, 21, 60, True),
    "300 cards, interview in 30 days, 200 reviews/day (Anki's default)": (300, 30, 200, True),
    "300 cards, interview in 30 days, 40 reviews/day (tight)": (300, 30, 40, False),
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=10)
    args = parser.parse_args()
    held_out = range(5, 5 + args.seeds)
    missed = []
    for name, (cards, days, limit, judged) in SCENARIOS.items():
        runs = {plan: [learner_prepare(cards=cards, interview_in=days, review_limit=limit, plan=plan, seed=s)
                       for s in held_out] for plan in (False, True)}  # fmt: skip
        print(f"{name}  ({args.seeds} held-out learners)")
        for plan, label in ((False, "plain FSRS    "), (True, "interview plan")):
            rs = runs[plan]
            print(f"   {label}  recall on the day {statistics.mean(r.recall_at_date for r in rs):.3f}"
                  f"   cards under 90% {statistics.mean(r.below_target for r in rs):5.1f}"
                  f"   busiest day {max(r.max_reviews_per_day for r in rs):3d} reviews"
                  f"   answers {statistics.mean(r.reviews for r in rs):6.0f}")  # fmt: skip
        plain = statistics.mean(r.recall_at_date for r in runs[False])
        plan = statistics.mean(r.recall_at_date for r in runs[True])
        if plan <= plain - (0 if judged else TIGHT_MARGIN):
            missed.append(f"{name}: recall {plan:.3f} vs plain {plain:.3f}")
        if max(r.max_reviews_per_day for r in runs[True]) > limit:
            missed.append(f"{name}: a day above {limit} reviews")
    print("all goals met" if not missed else "goals missed: " + "; ".join(missed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
