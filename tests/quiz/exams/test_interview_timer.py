"""The server's clock rules: the stored deadline, late answers, resuming after a reload, time spent, finishing."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz.exams.models import Interview
from quiz.exams.services import interview as svc
from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(user):
    make_cards(6)
    return svc.interview_start(user=user, topics=[], questions=3, minutes=10, rng=random.Random(0))


def _deadline_passed(interview, seconds=5):
    Interview.objects.filter(pk=interview.pk).update(deadline=timezone.now() - timedelta(seconds=seconds))
    interview.refresh_from_db()


def test_the_deadline_is_stored_at_start(interview):
    assert interview.deadline - interview.started_at == timedelta(minutes=10)
    assert interview.answers.count() == 3 and interview.status == Interview.Status.IN_PROGRESS


def test_an_answer_before_the_deadline_is_on_time(interview):
    result = svc.interview_answer_submit(interview=interview, position=0, text="On time.")
    assert not result.late and not result.answer.late and result.answer.submitted_at


def test_an_answer_after_the_deadline_is_recorded_as_late(interview):
    _deadline_passed(interview)
    result = svc.interview_answer_submit(interview=interview, position=0, text="Too late.")
    answer = interview.answers.get(position=0)
    assert result.late and answer.late and answer.text == "Too late."


def test_a_draft_saved_in_time_is_not_late_when_submitted_unchanged_after_the_deadline(interview):
    svc.interview_answer_save(interview=interview, position=0, text="Typed in time.", rev=1)
    _deadline_passed(interview)
    svc.interview_answer_submit(interview=interview, position=0, text="Typed in time.", rev=2)
    assert not interview.answers.get(position=0).late  # the text reached the server before the deadline


def test_a_late_submit_through_the_page_is_flagged_and_finishes_the_interview(interview, user_client):
    _deadline_passed(interview)
    url = reverse("quiz:interview_answer", args=[interview.pk, 1])
    response = user_client.post(url, {"text": "After the bell", "rev": 5, "action": "submit"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("quiz:interview_report", args=[interview.pk])
    assert svc.MESSAGE_LATE.encode() in response.content
    interview.refresh_from_db()
    assert interview.status == Interview.Status.GRADING and interview.answers.get(position=0).late


def test_a_reload_resumes_with_the_remaining_time_from_the_server(interview, user_client):
    Interview.objects.filter(pk=interview.pk).update(deadline=timezone.now() + timedelta(seconds=95))
    page = user_client.get(interview.get_absolute_url())
    remaining = page.context["remaining"]
    assert 90 <= remaining <= 95
    assert f'data-remaining="{remaining}"'.encode() in page.content
    again = user_client.get(interview.get_absolute_url())  # a reload: same deadline, less time, same question
    assert again.context["remaining"] <= remaining and again.context["answer"].position == 0


def test_opening_the_page_after_the_deadline_finishes_and_shows_the_report(interview, user_client):
    svc.interview_answer_save(interview=interview, position=1, text="A draft", rev=1)
    _deadline_passed(interview)
    response = user_client.get(interview.get_absolute_url())
    assert response.url == reverse("quiz:interview_report", args=[interview.pk])
    interview.refresh_from_db()
    assert interview.status == Interview.Status.GRADING and interview.finished_at
    draft = interview.answers.get(position=1)
    assert draft.submitted_at == draft.text_saved_at  # a draft counts as given when it was saved


def test_overdue_interviews_are_finished_when_the_history_is_opened(interview, user_client):
    _deadline_passed(interview)
    assert user_client.get(reverse("quiz:interview_history")).status_code == 200
    interview.refresh_from_db()
    assert interview.status == Interview.Status.GRADING


def test_time_spent_is_the_time_a_question_was_open_cut_at_the_deadline(interview):
    start = interview.started_at
    svc.interview_open(interview=interview, position=1, now=start + timedelta(seconds=40))
    svc.interview_answer_submit(interview=interview, position=1, text="x", now=start + timedelta(seconds=100))
    svc.interview_finish(interview=interview, now=interview.deadline + timedelta(minutes=5))
    spent = dict(interview.answers.values_list("position", "time_spent"))
    assert spent[0] == 40 and spent[1] == 60
    assert spent[2] == 600 - 100  # open from the submit until the deadline, not beyond


def test_finishing_twice_changes_nothing_and_closes_the_interview(interview):
    first = svc.interview_finish(interview=interview)
    second = svc.interview_finish(interview=interview)
    assert first.finished_at == second.finished_at and second.status == Interview.Status.GRADING
    with pytest.raises(svc.InterviewError, match="over"):
        svc.interview_answer_save(interview=interview, position=0, text="too late to edit")
