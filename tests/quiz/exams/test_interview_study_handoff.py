"""Interview answers feed the study schedule: score bands to FSRS ratings, the learner's rating is the one
recorded, saving twice records once, and only the interview's owner can save."""

import pytest

from quiz.exams.models import Interview
from quiz.exams.services import interview as interview_svc
from quiz.exams.services.interview_contest import key_point_contest
from quiz.exams.services.interview_study import (
    answer_review_id,
    interview_ratings,
    interview_reviews_save,
    score_rating,
)
from quiz.study.models import StudyCard, StudyReview
from quiz.study.services.study import RATINGS, StudyError
from tests.quiz.exams.contest_helpers import graded_interview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(interview_svc, "interview_grade_enqueue", lambda *, interview_id: None)


@pytest.fixture
def interview(user):
    return graded_interview(user=user)


@pytest.mark.parametrize(
    ("score", "rating"),
    [(None, 1), (0, 1), (34, 1), (35, 2), (59, 2), (60, 3), (84, 3), (85, 4), (100, 4)],
)
def test_score_bands_map_to_again_hard_good_easy(score, rating):
    assert score_rating(score) == rating


def test_the_offered_rating_follows_the_score_that_counts(interview, user):
    answers = list(interview.answers.order_by("position"))
    offered = interview_ratings(answers=answers)
    assert [o.suggested for o in offered] == [score_rating(a.score) for a in answers]
    assert offered[2].suggested == 1 and not any(o.saved for o in offered)  # the empty answer: Again
    thin = answers[1]
    index = next(i for i, v in enumerate(thin.verdicts) if v["status"] != "covered")
    contested = key_point_contest(user=user, answer_id=thin.pk, index=index, verdict="covered")
    assert interview_ratings(answers=[contested])[0].suggested == score_rating(contested.contested_score)


def test_the_rating_changed_before_saving_is_the_one_recorded_and_saving_twice_counts_once(interview, user):
    answers = list(interview.answers.order_by("position"))
    first = answers[0]
    changed = 2 if score_rating(first.score) != 2 else 3
    result = interview_reviews_save(user=user, interview=interview, ratings={first.pk: changed})
    assert (result.recorded, result.already) == (3, 0)
    review = StudyReview.objects.get(user=user, card=first.card)
    assert review.rating == changed and review.review_id == answer_review_id(first.pk)
    others = {r.card_id: r.rating for r in StudyReview.objects.exclude(pk=review.pk)}
    assert others == {a.card_id: score_rating(a.score) for a in answers[1:]}
    assert StudyCard.objects.filter(user=user).count() == 3

    again = interview_reviews_save(user=user, interview=interview, ratings={first.pk: 4})
    assert (again.recorded, again.already) == (0, 3)
    assert (
        StudyReview.objects.filter(user=user).count() == 3 and StudyReview.objects.get(pk=review.pk).rating == changed
    )
    offered = interview_ratings(answers=list(interview.answers.order_by("position")))
    assert all(o.saved for o in offered) and offered[0].rating == changed and offered[0].label == RATINGS[changed]


def test_another_user_cannot_save_and_a_bad_rating_saves_nothing(interview, user, other_user):
    with pytest.raises(StudyError):
        interview_reviews_save(user=other_user, interview=interview, ratings={})
    first = interview.answers.get(position=0)
    with pytest.raises(StudyError, match="must be 1"):
        interview_reviews_save(user=user, interview=interview, ratings={first.pk: 7})
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.GRADING)
    interview.refresh_from_db()
    with pytest.raises(StudyError, match="not graded"):
        interview_reviews_save(user=user, interview=interview, ratings={})
    assert not StudyReview.objects.exists()
