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


@dataclass(frozen=True)
class PrepResult:
    recall_at_date: float  # mean true recall of every card on the interview morning
    below_target: int  # cards whose true recall on the day is under 0.9
    max_reviews_per_day: int  # answers to cards in review, the busiest day
    reviews: int  # every answer, learning steps included


def learner_prepare(
    *,
    cards: int = 300,
    new_per_day: int = 20,
    interview_in: int = 30,
    review_limit: int = 60,
    plan: bool,
    target: float = 0.95,
    seed: int = 0,
    start: datetime = datetime(2026, 1, 1, 9, tzinfo=UTC),
) -> PrepResult:
    """A learner who sets an interview date ``interview_in`` days ahead, then studies daily until the day before:
    new cards up to ``new_per_day``, learning steps always, reviews up to ``review_limit`` a day (the rest wait, as
    in the app). With ``plan`` the interview-date rule (``interview_day_pick``) moves each review card's next review
    before the date; without it FSRS alone schedules. Recall on the day is read from the hidden true model."""
    from collections import Counter

    from quiz.study.services.interview_plan import interview_day_pick

    rng = random.Random(seed)
    scheduler = Scheduler(enable_fuzzing=False)
    truth = Scheduler(parameters=TRUE_PARAMETERS, enable_fuzzing=False)
    scheduled: dict[int, Card] = {}
    true_cards: dict[int, Card] = {}
    interview_day = start.date() + timedelta(days=interview_in)
    load: Counter = Counter()  # review cards due per day, as the app counts them
    busiest, reviews, next_new, behind = 0, 0, 1, 0

    def day_of(moment: datetime):
        return (moment - timedelta(hours=start.hour)).date()

    for day in range(interview_in):
        day_start = start + timedelta(days=day)
        day_end = day_start + timedelta(days=1)
        for _ in range(new_per_day):
            if next_new > cards:
                break
            scheduled[next_new] = Card(card_id=next_new, due=day_start)
            true_cards[next_new] = Card(card_id=next_new, due=day_start)
            next_new += 1
        review_answers, clock = 0, day_start
        while True:
            due = sorted((c.due, i) for i, c in scheduled.items() if c.due < day_end)
            # Learning cards always; reviews in due order up to the limit (the app's queue)
            due = [(d, i) for d, i in due if scheduled[i].state != 2 or review_answers < review_limit]
            if not due:
                break
            when, card_id = due[0]
            clock = max(clock + timedelta(seconds=20), when)
            if clock >= day_end:
                break
            was_review = scheduled[card_id].state == 2
            review_answers += was_review
            true_card = true_cards[card_id]
            recall = truth.get_card_retrievability(true_card, clock) if true_card.last_review else 0.45
            if rng.random() < recall:
                draw = rng.random()
                rating = Rating.Hard if draw < 0.15 else Rating.Easy if draw > 0.9 else Rating.Good
            else:
                rating = Rating.Again
            if was_review:
                load[day_of(scheduled[card_id].due)] -= 1
            fcard, _ = scheduler.review_card(scheduled[card_id], rating, clock)
            if plan and fcard.state == 2:
                pick = interview_day_pick(
                    due_day=day_of(fcard.due), stability=fcard.stability, decay=-scheduler._DECAY,
                    today=day_start.date(), interview_day=interview_day, load=load, day_limit=review_limit,
                    target=target, behind=behind,
                )  # fmt: skip
                if pick is not None:
                    fcard.due = datetime.combine(pick, start.timetz())
            if fcard.state == 2:
                load[day_of(fcard.due)] += 1
            scheduled[card_id] = fcard
            true_cards[card_id], _ = truth.review_card(true_card, rating, clock)
            reviews += 1
        # A review card left over (limit reached) stays due: tomorrow's load, and overdue then
        behind = 0
        for fcard in scheduled.values():
            if fcard.state == 2 and fcard.due < day_end:
                behind += 1
                load[day_of(fcard.due)] -= 1
                fcard.due = day_end
                load[day_of(fcard.due)] += 1
        busiest = max(busiest, review_answers)
    morning = start + timedelta(days=interview_in)
    recalls = [truth.get_card_retrievability(c, morning) if c.last_review else 0.0 for c in true_cards.values()]
    return PrepResult(
        recall_at_date=sum(recalls) / len(recalls), below_target=sum(r < 0.9 for r in recalls),
        max_reviews_per_day=busiest, reviews=reviews,
    )  # fmt: skip
