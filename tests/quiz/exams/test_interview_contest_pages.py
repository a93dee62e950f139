"""The interview report's contest buttons and study hand-off through the test client: CSRF enforced, owner only,
htmx gets the answer's block back with the new scores, and the report shows the grader's verdict beside the
learner's."""

import pytest
from django.test import Client
from django.urls import reverse

from quiz.exams.models import Interview, InterviewAnswer, KeyPointContest
from quiz.exams.services import interview as interview_svc
from quiz.exams.services.interview_study import score_rating
from quiz.study.models import StudyReview
from tests.quiz.exams.contest_helpers import graded_interview

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    monkeypatch.setattr(interview_svc, "interview_grade_enqueue", lambda *, interview_id: None)


@pytest.fixture
def interview(user):
    return graded_interview(user=user)


def _missed(interview) -> tuple[InterviewAnswer, int]:
    answer = interview.answers.get(position=1)
    return answer, next(i for i, v in enumerate(answer.verdicts) if v["status"] in ("missed", "partly"))


def _contest_url(interview, answer, index):
    return reverse("quiz:interview_contest", args=[interview.pk, answer.pk, index])


def test_the_report_offers_both_verdicts_per_key_point_and_a_rating_per_answer(interview, user_client):
    page = user_client.get(reverse("quiz:interview_report", args=[interview.pk])).content.decode()
    answer, index = _missed(interview)
    assert f'id="kp-{answer.pk}-{index}-covered"' in page and f'id="kp-{answer.pk}-{index}-missed"' in page
    assert page.count(">I did cover this</button>") == sum(len(a.verdicts) for a in interview.answers.exclude(text=""))
    assert 'aria-pressed="false"' in page and "js/interview_report.js" in page
    for item in interview.answers.all():
        assert f'<label for="rating-{item.pk}">' in page
        assert f'<option value="{score_rating(item.score)}" selected>' in page
    assert 'id="study-schedule-form"' in page and "below 35 Again" in page


def test_contesting_with_htmx_returns_the_block_and_the_new_scores_out_of_band(interview, user_client):
    answer, index = _missed(interview)
    response = user_client.post(_contest_url(interview, answer, index), {"verdict": "covered"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    answer.refresh_from_db()
    interview.refresh_from_db()
    assert answer.contested_score > answer.score
    assert f'id="answer-{answer.pk}-judgement"' in html and 'data-learner-verdict="covered"' in html
    assert f'id="answer-{answer.pk}-score" data-answer-score hx-swap-oob="true">{answer.contested_score}<' in html
    assert f"grader: {answer.score}" in html and f'<span class="num">{interview.score}</span>' in html
    assert 'id="report-announce" hx-swap-oob="innerHTML"' in html

    page = user_client.get(reverse("quiz:interview_report", args=[interview.pk])).content.decode()
    assert "The grader said <strong>" in page and "you said <strong>covered</strong>" in page
    assert f'id="kp-{answer.pk}-{index}-undo"' in page
    # the grader's explanation is attributed to it, so it never contradicts the learner's figures beside it
    assert f"The grader: {answer.explanation} With your verdicts:" in page
    assert f"score {answer.contested_score}/100." in page

    response = user_client.post(_contest_url(interview, answer, index), {"verdict": "undo"})  # without htmx
    assert response.status_code == 302 and response["Location"].endswith(f"#answer-{answer.pk}")
    answer.refresh_from_db()
    assert answer.contested_score is None and not KeyPointContest.objects.exists()


def test_csrf_is_enforced_on_contest_and_schedule(interview, user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    answer, index = _missed(interview)
    assert client.post(_contest_url(interview, answer, index), {"verdict": "covered"}).status_code == 403
    schedule = reverse("quiz:interview_schedule", args=[interview.pk])
    assert client.post(schedule, {}).status_code == 403
    assert not KeyPointContest.objects.exists() and not StudyReview.objects.exists()


def test_only_the_owner_can_contest_or_save(interview, client, other_user):
    client.force_login(other_user)
    answer, index = _missed(interview)
    assert client.post(_contest_url(interview, answer, index), {"verdict": "covered"}).status_code == 404
    assert client.post(reverse("quiz:interview_schedule", args=[interview.pk]), {}).status_code == 404
    assert client.get(reverse("quiz:interview_report", args=[interview.pk])).status_code == 404
    mine = graded_interview(user=other_user)  # an answer of another interview under one's own interview's URL
    assert client.post(_contest_url(mine, answer, index), {"verdict": "covered"}).status_code == 404
    assert not KeyPointContest.objects.exists() and not StudyReview.objects.exists()


def test_contest_views_take_post_only_and_refuse_a_bad_verdict(interview, user_client):
    answer, index = _missed(interview)
    assert user_client.get(_contest_url(interview, answer, index)).status_code == 405
    response = user_client.post(_contest_url(interview, answer, index), {"verdict": "maybe"}, follow=True)
    assert b"A verdict is" in response.content and not KeyPointContest.objects.exists()


def test_saving_to_the_schedule_records_the_chosen_ratings_once(interview, user_client):
    answers = list(interview.answers.order_by("position"))
    schedule = reverse("quiz:interview_schedule", args=[interview.pk])
    data = {f"rating-{a.pk}": score_rating(a.score) for a in answers} | {f"rating-{answers[0].pk}": 1}
    response = user_client.post(schedule, data, follow=True)
    assert b"Saved 3 reviews to your study schedule." in response.content
    assert b"data-schedule-saved" in response.content and b"data-saved-rating>Again<" in response.content
    assert StudyReview.objects.get(card=answers[0].card).rating == 1
    response = user_client.post(schedule, data, follow=True)
    assert b"already in your study schedule" in response.content and StudyReview.objects.count() == 3
    bad = user_client.post(schedule, {f"rating-{answers[0].pk}": 9}, follow=True)
    assert b"Each rating must be" in bad.content


def test_a_report_still_grading_has_no_contest_or_schedule(user, user_client):
    interview = graded_interview(user=user)
    answer, index = _missed(interview)
    Interview.objects.filter(pk=interview.pk).update(status=Interview.Status.GRADING)
    refused = user_client.post(_contest_url(interview, answer, index), {"verdict": "covered"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 409 and refused.content == b"This answer is not graded yet."
    page = user_client.get(reverse("quiz:interview_report", args=[interview.pk])).content.decode()
    assert "I did cover this" not in page and "study-schedule-form" not in page
