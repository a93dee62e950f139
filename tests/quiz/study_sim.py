"""A simulated learner for optimizer tests and benchmarks: reviews drawn from a hidden "true" FSRS memory model.

Each day the learner answers every card due that day (learning steps bring a card back the same day) and a few
new ones. Whether a card is recalled is drawn from its true retrievability (a second fsrs Scheduler with other
parameters, fed the same answers), so a fit on the log has something real to find.
"""

import heapq
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from fsrs import Card, Rating, Scheduler

# Parameters of the hidden memory model: a learner who forgets new cards much faster than FSRS's defaults assume
# (initial stabilities 0.05-3 days instead of 0.2-8), so a fit on the log has something real to find.
TRUE_PARAMETERS = (
    0.05, 0.3, 0.9, 3.0, 7.5, 0.6, 2.0, 0.02, 1.2, 0.1, 0.9,
    2.2, 0.1, 0.35, 2.0, 0.4, 2.5, 0.6, 0.12, 0.08, 0.35,
)  # fmt: skip


@dataclass(frozen=True)
class SimReview:
    card_id: int
    rating: int
    reviewed_at: datetime


def learner_simulate(
    *,
    cards: int,
    days: int,
    new_per_day: int = 20,
    seed: int = 0,
    start: datetime = datetime(2026, 1, 1, 9, tzinfo=UTC),
) -> list[SimReview]:
    """The review log of a learner who studies every day for `days` days (ratings 1-4, times in UTC)."""
    rng = random.Random(seed)
    scheduler = Scheduler(enable_fuzzing=False)
    truth = Scheduler(parameters=TRUE_PARAMETERS, enable_fuzzing=False)
    scheduled: dict[int, Card] = {}
    true_cards: dict[int, Card] = {}
    log: list[SimReview] = []
    due_heap: list[tuple[datetime, int]] = []
    next_new = 1
    for day in range(days):
        day_start = start + timedelta(days=day)
        day_end = day_start + timedelta(days=1)
        for _ in range(new_per_day):
            if next_new > cards:
                break
            scheduled[next_new] = Card(card_id=next_new, due=day_start)
            true_cards[next_new] = Card(card_id=next_new, due=day_start)
            heapq.heappush(due_heap, (day_start, next_new))
            next_new += 1
        clock = day_start
        while due_heap and due_heap[0][0] < day_end:
            when, card_id = heapq.heappop(due_heap)
            clock = max(clock + timedelta(seconds=20), when)
            if clock >= day_end:  # a long session runs past midnight: the rest waits for tomorrow
                heapq.heappush(due_heap, (day_end, card_id))
                continue
            true_card = true_cards[card_id]
            recall = truth.get_card_retrievability(true_card, clock) if true_card.last_review else 0.45
            if rng.random() < recall:
                draw = rng.random()
                rating = Rating.Hard if draw < 0.15 else Rating.Easy if draw > 0.9 else Rating.Good
            else:
                rating = Rating.Again
            scheduled[card_id], _ = scheduler.review_card(scheduled[card_id], rating, clock)
            true_cards[card_id], _ = truth.review_card(true_card, rating, clock)
            heapq.heappush(due_heap, (scheduled[card_id].due, card_id))
            log.append(SimReview(card_id=card_id, rating=int(rating), reviewed_at=clock))
    return log
