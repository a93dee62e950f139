"""Interview pages: start, the report (grading run in-process with a stand-in encoder), weak cards into the study
deck, history with its trend chart, escaping of typed answers, and isolation between users."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz.bank.models import Topic
from quiz.exams.models import Interview
from quiz.exams.services import interview as svc
from quiz.exams.services.interview_report import interview_grade_run
from quiz.study.models import StudyCard, StudyFlag
from tests.quiz.exam_helpers import bow_embed, make_cards

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sent(monkeypatch):
    """Grading messages this test would send to the broker (none really leave)."""
    calls = []
    monkeypatch.setattr(svc, "interview_grade_enqueue", lambda *, interview_id: calls.append(interview_id) or True)
    monkeypatch.setattr(svc, "interview_grade_send", lambda *, interview_id: calls.append(interview_id) or True)
    return calls


@pytest.fixture
def interview(user):
    make_cards(6)
    return svc.interview_start(user=user, topics=[], questions=3, minutes=10, rng=random.Random(2))


def _graded(interview, texts):
    for position, text in enumerate(texts):
        svc.interview_answer_submit(interview=interview, position=position, text=text)
    svc.interview_finish(interview=interview)
    return interview_grade_run(interview_id=interview.pk, embed=bow_embed)


def test_starting_from_the_page_opens_the_first_question_with_a_timer(user_client):
    make_cards(6)
    data = {"questions": 3, "minutes": 5, "mix": "balanced"}
    response = user_client.post(reverse("quiz:interview_start"), data, follow=True)
    page = response.content.decode()
    assert "Question 1 of 3" in page and 'role="timer"' in page and 'aria-live="assertive"' in page
    assert "js/interview.js" in page and 'maxlength="4000"' in page


def test_no_matching_cards_is_a_clear_error(user_client):
    make_cards(3)
    Topic.objects.create(slug="empty", name="Empty")
    data = {"questions": 3, "minutes": 5, "mix": "balanced", "topics": ["empty"]}
    assert svc.ERROR_NO_CARDS.encode() in user_client.post(reverse("quiz:interview_start"), data).content
    data["topics"] = ["no-such-topic"]
    assert b"Select a valid choice" in user_client.post(reverse("quiz:interview_start"), data).content


def test_grading_fills_the_report_with_scores_key_points_and_escaped_answers(interview, user_client):
    card = interview.answers.get(position=0).card
    graded = _graded(interview, [card.answer, "<script>alert('x')</script> no idea", ""])
    assert graded.status == Interview.Status.GRADED and graded.graded_count == 3
    answers = list(graded.answers.order_by("position"))
    assert answers[0].score > answers[1].score and answers[2].score == 0
    assert answers[2].explanation.startswith("No answer")
    page = user_client.get(reverse("quiz:interview_report", args=[interview.pk])).content.decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; no idea" in page and "<script>alert" not in page
    assert "data-key-points" in page and "Reference answer" in page and "data-overall-score" in page
    assert f"{len(answers[0].covered)} of {len(card.key_points)} key points" in page
    assert all(v["quote"] in card.answer for v in answers[0].verdicts if v["status"] == "covered")
    assert graded.score == round(sum(a.score for a in answers) / 3)


def test_late_answers_are_shown_but_count_zero(interview):
    Interview.objects.filter(pk=interview.pk).update(deadline=interview.started_at)
    interview.refresh_from_db()
    card = interview.answers.get(position=0).card
    graded = _graded(interview, [card.answer])
    late = graded.answers.get(position=0)
    assert late.late and late.score > 0 and graded.score == 0


def test_grading_twice_is_harmless(interview):
    first = _graded(interview, ["a", "b", "c"])
    scores = list(first.answers.values_list("score", flat=True))
    again = interview_grade_run(interview_id=interview.pk, embed=bow_embed)
    assert again.status == Interview.Status.GRADED and list(again.answers.values_list("score", flat=True)) == scores


def test_a_grading_failure_is_shown_and_can_be_retried(interview, user_client):
    svc.interview_answer_submit(interview=interview, position=0, text="something to grade")
    svc.interview_finish(interview=interview)

    def broken(texts):
        raise RuntimeError("encoder exploded")

    failed = interview_grade_run(interview_id=interview.pk, embed=broken)
    assert failed.status == Interview.Status.FAILED and "encoder exploded" in failed.grading_error
    page = user_client.get(reverse("quiz:interview_report", args=[interview.pk])).content.decode()
    assert "Retry grading" in page and "encoder exploded" in page
    user_client.post(reverse("quiz:interview_retry", args=[interview.pk]))
    assert Interview.objects.get(pk=interview.pk).status == Interview.Status.GRADING


def test_progress_polls_while_grading_then_refreshes_the_page(interview, user_client):
    svc.interview_finish(interview=interview)
    url = reverse("quiz:interview_progress", args=[interview.pk])
    polling = user_client.get(url, headers={"HX-Request": "true"})
    assert b'hx-trigger="every 1s"' in polling.content and b"0 of 3 done" in polling.content
    interview_grade_run(interview_id=interview.pk, embed=bow_embed)
    done = user_client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Refresh"] == "true"


def test_grading_that_never_started_is_sent_again(interview, sent):
    svc.interview_finish(interview=interview)
    now = timezone.now()
    Interview.objects.filter(pk=interview.pk).update(grading_queued_at=now)
    interview.refresh_from_db()
    assert not svc.interview_grade_nudge(interview=interview, now=now + timedelta(seconds=5))
    assert svc.interview_grade_nudge(interview=interview, now=now + svc.REQUEUE_AFTER + timedelta(seconds=1))
    assert sent == [interview.pk, interview.pk]  # once at the finish, once by the nudge
    interview.graded_count = 1  # the worker is on it
    assert not svc.interview_grade_nudge(interview=interview, now=now + timedelta(minutes=5))


def test_weak_cards_go_to_the_study_deck_due_now(interview, user, user_client):
    _graded(interview, ["", "", interview.answers.get(position=2).card.answer])
    user_client.post(reverse("quiz:interview_study", args=[interview.pk]))
    flagged = set(
        StudyFlag.objects.filter(user=user, source=StudyFlag.Source.INTERVIEW).values_list("card_id", flat=True)
    )
    weak = {a.card_id for a in interview.answers.all() if a.score < 50}
    assert flagged == weak and len(weak) >= 2
    assert StudyCard.objects.filter(user=user, card_id__in=weak).count() == len(weak)


def test_history_lists_interviews_with_a_score_trend_chart(user, user_client):
    make_cards(6)
    for seed in range(3):
        interview = svc.interview_start(user=user, topics=[], questions=2, minutes=5, rng=random.Random(seed))
        _graded(interview, ["words about attention"] * 2)
    page = user_client.get(reverse("quiz:interview_history")).content.decode()
    assert page.count("<circle") == 3 and "<polyline" in page and 'role="img"' in page
    assert page.count("Graded") == 3


def test_a_user_never_sees_another_users_interview(interview, other_user, client):
    client.force_login(other_user)
    pk = interview.pk
    for name, method in [
        ("interview_detail", "get"),
        ("interview_report", "get"),
        ("interview_progress", "get"),
        ("interview_finish", "post"),
        ("interview_retry", "post"),
        ("interview_study", "post"),
    ]:
        assert getattr(client, method)(reverse(f"quiz:{name}", args=[pk])).status_code == 404, name
    assert client.post(reverse("quiz:interview_draft", args=[pk, 1]), {"text": "x"}).status_code == 404
    assert client.post(reverse("quiz:interview_answer", args=[pk, 1]), {"text": "x"}).status_code == 404
    assert b"<circle" not in client.get(reverse("quiz:interview_history")).content
    assert interview.answers.get(position=0).text == ""
