"""Autosave: idempotent, ordered by the client's revision, exact text, capped length, and the JSON endpoint."""

import random

import pytest
from django.urls import reverse

from quiz.exams.services import interview as svc
from quiz.exams.services.grading import MAX_ANSWER_CHARS
from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def interview(user):
    make_cards(4)
    return svc.interview_start(user=user, topics=[], questions=2, minutes=5, rng=random.Random(1))


def test_saving_the_same_draft_twice_changes_nothing(interview):
    first = svc.interview_answer_save(interview=interview, position=0, text="Draft", rev=10)
    second = svc.interview_answer_save(interview=interview, position=0, text="Draft", rev=10)
    assert first.changed and not second.changed and not second.stale
    assert interview.answers.get(position=0).text_saved_at == first.answer.text_saved_at


def test_an_older_revision_arriving_late_never_overwrites_a_newer_one(interview):
    svc.interview_answer_save(interview=interview, position=0, text="newer", rev=20)
    stale = svc.interview_answer_save(interview=interview, position=0, text="older", rev=19)
    assert stale.stale and interview.answers.get(position=0).text == "newer"


def test_text_is_stored_exactly_as_typed(interview):
    typed = "  <b>bold?</b> & 'quotes'\n\n  indented line\t"
    svc.interview_answer_save(interview=interview, position=0, text=typed, rev=1)
    assert interview.answers.get(position=0).text == typed


def test_a_very_long_answer_is_capped_with_a_message(interview, user_client):
    url = reverse("quiz:interview_draft", args=[interview.pk, 1])
    data = user_client.post(url, {"text": "x" * (MAX_ANSWER_CHARS + 500), "rev": 3}).json()
    assert data["saved"] and data["capped"] == svc.MESSAGE_CAPPED
    assert len(interview.answers.get(position=0).text) == MAX_ANSWER_CHARS


def test_the_autosave_endpoint_saves_and_reports_the_remaining_time(interview, user_client):
    url = reverse("quiz:interview_draft", args=[interview.pk, 2])
    data = user_client.post(url, {"text": "Autosaved draft", "rev": 7}).json()
    assert data == {"saved": True, "stale": False, "late": False, "capped": "", "remaining": data["remaining"]}
    assert 0 < data["remaining"] <= 300
    assert interview.answers.get(position=1).text == "Autosaved draft"
    open_url = reverse("quiz:interview_open", args=[interview.pk])
    page = user_client.post(open_url, {"q": 2}, follow=True).content.decode()
    assert "Autosaved draft</textarea>" in page  # a reload brings the draft back


def test_autosave_after_the_interview_ended_answers_409_with_the_report(interview, user_client):
    svc.interview_finish(interview=interview)
    response = user_client.post(reverse("quiz:interview_draft", args=[interview.pk, 1]), {"text": "x", "rev": 1})
    assert response.status_code == 409
    assert response.json()["redirect"] == reverse("quiz:interview_report", args=[interview.pk])


def test_skip_keeps_the_draft_and_moves_to_the_next_question(interview, user_client):
    url = reverse("quiz:interview_answer", args=[interview.pk, 1])
    user_client.post(url, {"text": "half an idea", "rev": 2, "action": "skip"})
    interview.refresh_from_db()
    first = interview.answers.get(position=0)
    assert first.skipped and first.text == "half an idea" and interview.current_position == 1


def test_flag_and_unflag(interview, user_client):
    url = reverse("quiz:interview_answer", args=[interview.pk, 1])
    user_client.post(url, {"text": "", "action": "flag"})
    assert interview.answers.get(position=0).flagged
    user_client.post(url, {"text": "", "action": "unflag"})
    assert not interview.answers.get(position=0).flagged


def test_finishing_from_the_page_stores_the_open_answer_first(interview, user_client):
    url = reverse("quiz:interview_finish", args=[interview.pk])
    user_client.post(url, {"number": 1, "text": "sent with finish", "rev": 99})
    answer = interview.answers.get(position=0)
    assert answer.text == "sent with finish" and answer.submitted_at
    user_client.post(url, {"number": 1, "text": "", "rev": ""})  # no script: no revision, nothing overwritten
    assert interview.answers.get(position=0).text == "sent with finish"
