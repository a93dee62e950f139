"""Interview answers feed the study schedule: each graded answer can be recorded as one FSRS review of its card.

The report pre-selects a rating from the answer's score (``score_rating``) and the learner may change it before
saving. Saving goes through the study app's ``card_review`` with a review id derived from the answer's id, so a
doubled or repeated save records one review only.

Score bands (the score that counts: the learner's contested one if any, else the grader's; late answers count 0):
    below 35  Again   (misconception, contradiction, or little of the answer)
    35 - 59   Hard    (correct but thin: about two key points)
    60 - 84   Good    (most key points)
    85 - 100  Easy    (complete)
The bands follow the grader's calibration contract (thin 35-65, complete 75-100).
"""

import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from quiz.exams.models import Interview, InterviewAnswer
from quiz.exams.services.interview_report import counted_score
from quiz.study.services.study import RATINGS, StudyError, card_review

BAND_LOWEST = {"hard": 35, "good": 60, "easy": 85}  # the report states the bands from these
RATING_CHOICES = list(RATINGS.items())
BANDS = ((BAND_LOWEST["easy"], 4), (BAND_LOWEST["good"], 3), (BAND_LOWEST["hard"], 2), (0, 1))  # highest first
REVIEW_NAMESPACE = uuid.UUID("6f1c2b0e-6d1e-4f61-9a57-2f1f4c8f6a11")  # fixed: review ids must never change

ERROR_NOT_GRADED = "The interview is not graded yet."
ERROR_RATING = "Each rating must be 1 (Again), 2 (Hard), 3 (Good) or 4 (Easy)."
MESSAGE_SAVED = "Saved {count} review{s} to your study schedule."
MESSAGE_ALREADY = "These answers were already in your study schedule."


def score_rating(score: int | None) -> int:
    """FSRS rating (1 Again, 2 Hard, 3 Good, 4 Easy) for a 0-100 score; see the bands above."""
    score = score or 0
    return next(rating for lowest, rating in BANDS if score >= lowest)


def answer_review_id(answer_id: int) -> uuid.UUID:
    """The study review id of an interview answer: the same on every save, so saving twice counts once."""
    return uuid.uuid5(REVIEW_NAMESPACE, f"interview-answer:{answer_id}")


@dataclass
class AnswerRating:
    answer: InterviewAnswer
    suggested: int  # from the score
    rating: int  # the one recorded when saved, else the suggested one
    label: str
    saved: bool


def interview_ratings(*, answers: list[InterviewAnswer]) -> list[AnswerRating]:
    out = []
    for answer in answers:
        suggested = score_rating(counted_score(answer))
        rating = answer.study_rating or suggested
        out.append(AnswerRating(answer, suggested, rating, RATINGS[rating], answer.study_saved_at is not None))
    return out


@dataclass
class SaveResult:
    recorded: int  # new reviews stored
    already: int  # answers saved before (nothing changed for them)

    @property
    def message(self) -> str:
        if not self.recorded and self.already:
            return MESSAGE_ALREADY
        return MESSAGE_SAVED.format(count=self.recorded, s="s" if self.recorded != 1 else "")


@transaction.atomic
def interview_reviews_save(*, user, interview: Interview, ratings: dict[int, int]) -> SaveResult:
    """Record one FSRS review per graded answer of the user's interview, with the rating the learner chose
    (``ratings``: answer id -> 1..4; an answer left out gets the suggested one). Idempotent per answer."""
    if interview.user_id != user.pk or interview.status != Interview.Status.GRADED:
        raise StudyError(ERROR_NOT_GRADED)
    if any(r not in RATINGS for r in ratings.values()):
        raise StudyError(ERROR_RATING)
    now, recorded, already = timezone.now(), 0, 0
    answers = interview.answers.select_for_update().filter(graded_at__isnull=False).order_by("position")
    for answer in answers:
        if answer.study_saved_at is not None:
            already += 1
            continue
        rating = ratings.get(answer.pk) or score_rating(counted_score(answer))
        result = card_review(user=user, card_id=answer.card_id, rating=rating,
                             review_id=answer_review_id(answer.pk), now=now)  # fmt: skip
        answer.study_rating, answer.study_saved_at = result.review.rating, now
        answer.save(update_fields=["study_rating", "study_saved_at"])
        recorded += not result.duplicate
        already += result.duplicate
    return SaveResult(recorded=recorded, already=already)
