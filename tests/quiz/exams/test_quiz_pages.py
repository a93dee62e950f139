"""Quiz pages: setup, immediate or end-of-quiz feedback, score, missed cards into the study deck, isolation."""

import pytest
from django.urls import reverse

from quiz.exams.models import Quiz
from quiz.exams.services import quiz as quiz_service
from quiz.study.models import StudyCard, StudyFlag
from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db


def _start(client, feedback="immediate", length=5) -> Quiz:
    response = client.post(reverse("quiz:quiz_start"), {"length": length, "feedback": feedback, "difficulty": "",
                                                        "quiz_format": "mcq"})  # fmt: skip
    assert response.status_code == 302
    return Quiz.objects.latest("created_at")


def _wrong(question) -> int:
    return (question.correct_index + 1) % len(question.options)


def test_immediate_feedback_shows_the_right_answer_and_the_full_card_answer(user_client):
    make_cards(8)
    quiz = _start(user_client)
    page = user_client.get(quiz.get_absolute_url()).content.decode()
    assert page.count('type="radio" name="choice"') == 4
    question = quiz.questions.get(position=0)
    response = user_client.post(reverse("quiz:quiz_answer", args=[quiz.pk, 1]), {"choice": _wrong(question)},
                                follow=True)  # fmt: skip
    page = response.content.decode()
    assert "Not quite" in page and "The card's full answer" in page and "Add to study deck" in page
    assert question.card.answer.split(":")[0] in page
    assert question.options[_wrong(question)]["why"] in page  # why the pick was wrong
    assert question.card.key_points[0] in page and question.card.get_absolute_url() in page  # why the right one is
    question.refresh_from_db()
    assert question.correct is False


def test_end_feedback_goes_straight_on_then_scores_and_lists_misses(user_client):
    make_cards(8)
    quiz = _start(user_client, feedback="end", length=5)
    for position, question in enumerate(quiz.questions.order_by("position")):
        choice = question.correct_index if position % 2 == 0 else _wrong(question)
        response = user_client.post(reverse("quiz:quiz_answer", args=[quiz.pk, position + 1]), {"choice": choice})
        assert response.url == quiz.get_absolute_url()
    page = user_client.get(quiz.get_absolute_url()).content.decode()
    assert "Score: 3 / 5" in page and "Add all 2 missed cards to the study deck" in page
    quiz.refresh_from_db()
    assert quiz.finished_at


def test_answering_again_does_not_change_the_first_answer(user, user_client):
    make_cards(6)
    quiz = _start(user_client)
    question = quiz.questions.get(position=0)
    user_client.post(reverse("quiz:quiz_answer", args=[quiz.pk, 1]), {"choice": _wrong(question)})
    user_client.post(reverse("quiz:quiz_answer", args=[quiz.pk, 1]), {"choice": question.correct_index})
    question.refresh_from_db()
    assert question.correct is False


def test_a_missed_card_is_one_click_from_the_study_deck_due_now(user, user_client):
    make_cards(6)
    quiz = _start(user_client, feedback="end")
    question = quiz.questions.get(position=0)
    user_client.post(reverse("quiz:quiz_answer", args=[quiz.pk, 1]), {"choice": _wrong(question)})
    response = user_client.post(reverse("quiz:quiz_study", args=[quiz.pk]), {"card_id": question.card_id},
                                headers={"HX-Request": "true"})  # fmt: skip
    assert b"Added to your study deck" in response.content and b"<html" not in response.content
    assert StudyFlag.objects.filter(user=user, card=question.card, source=StudyFlag.Source.QUIZ).exists()
    assert StudyCard.objects.filter(user=user, card=question.card).exists()


def test_only_missed_cards_can_be_added(user, user_client):
    make_cards(6)
    quiz = _start(user_client, feedback="end")
    question = quiz.questions.get(position=0)
    user_client.post(reverse("quiz:quiz_answer", args=[quiz.pk, 1]), {"choice": question.correct_index})
    user_client.post(reverse("quiz:quiz_study", args=[quiz.pk]), {"card_id": question.card_id})
    assert not StudyCard.objects.filter(user=user).exists()


def test_a_user_never_sees_another_users_quiz(user, other_user, client):
    make_cards(6)
    quiz = quiz_service.quiz_create(user=user, topics=[], difficulty=None, length=3)
    client.force_login(other_user)
    assert client.get(quiz.get_absolute_url()).status_code == 404
    assert client.post(reverse("quiz:quiz_answer", args=[quiz.pk, 1]), {"choice": 0}).status_code == 404
    assert client.post(reverse("quiz:quiz_study", args=[quiz.pk])).status_code == 404
    assert f"quiz of {quiz.created_at:%b}" not in client.get(reverse("quiz:quiz_start")).content.decode()


def test_quiz_pages_need_a_login(client):
    assert client.get(reverse("quiz:quiz_start")).status_code == 302
