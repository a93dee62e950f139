"""The quiz JSON API: start, answer (first answer counts), reveal rules, misses into the study deck, isolation."""

import pytest

from quiz.exams.models import QuizQuestion
from quiz.study.models import StudyFlag
from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db


def post(client, path, payload):
    return client.post(path, payload, content_type="application/json")


def test_an_immediate_quiz_reveals_each_answer_and_scores_at_the_end(user_client, user):
    make_cards(8)
    started = post(user_client, "/api/quiz/", {"length": 5})
    assert started.status_code == 201
    quiz = started.json()
    assert (quiz["total"], quiz["answered"], quiz["correct"]) == (5, 0, None)
    first = quiz["questions"][0]
    assert len(first["options"]) == 4 and first["correct_index"] is None and first["card_slug"] is None
    right = {q.position + 1: q.correct_index for q in QuizQuestion.objects.filter(quiz_id=quiz["id"])}
    wrong = (right[1] + 1) % 4
    after = post(user_client, f"/api/quiz/{quiz['id']}/questions/1/answer", {"choice": wrong}).json()
    q1 = after["questions"][0]
    assert (q1["chosen"], q1["correct"], q1["correct_index"]) == (wrong, False, right[1]) and q1["card_slug"]
    again = post(user_client, f"/api/quiz/{quiz['id']}/questions/1/answer", {"choice": right[1]}).json()
    assert again["questions"][0]["chosen"] == wrong  # the first answer counts
    for number in range(2, 6):
        done = post(user_client, f"/api/quiz/{quiz['id']}/questions/{number}/answer", {"choice": right[number]}).json()
    assert done["finished_at"] and done["correct"] == 4

    added = post(user_client, f"/api/quiz/{quiz['id']}/study", {}).json()
    assert added == {"added": 1}
    assert StudyFlag.objects.filter(user=user, source=StudyFlag.Source.QUIZ).count() == 1


def test_an_end_of_quiz_feedback_hides_answers_until_the_end(user_client):
    make_cards(8)
    quiz = post(user_client, "/api/quiz/", {"length": 5, "feedback": "end"}).json()
    after = post(user_client, f"/api/quiz/{quiz['id']}/questions/1/answer", {"choice": 0}).json()
    assert after["questions"][0]["chosen"] == 0 and after["questions"][0]["correct"] is None


def test_bad_input_is_a_clear_error(user_client):
    make_cards(8)
    assert post(user_client, "/api/quiz/", {"length": 500}).status_code == 422
    none = post(user_client, "/api/quiz/", {"topics": ["no-such-topic"]})
    assert none.status_code == 400 and "No cards match" in none.json()["detail"]
    quiz = post(user_client, "/api/quiz/", {"length": 5}).json()
    bad = post(user_client, f"/api/quiz/{quiz['id']}/questions/1/answer", {"choice": 9})
    assert bad.status_code == 400 and bad.json()["detail"] == "Choose one of the options."


def test_another_user_cannot_read_or_answer_my_quiz(client, user, other_user):
    make_cards(8)
    client.force_login(user)
    quiz = post(client, "/api/quiz/", {"length": 5}).json()
    client.force_login(other_user)
    assert client.get(f"/api/quiz/{quiz['id']}").status_code == 404
    assert post(client, f"/api/quiz/{quiz['id']}/questions/1/answer", {"choice": 0}).status_code == 404
    client.logout()
    assert client.get(f"/api/quiz/{quiz['id']}").status_code == 401


def test_quiz_endpoints_are_in_the_openapi_schema(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert {"/api/quiz/", "/api/quiz/{quiz_id}", "/api/quiz/{quiz_id}/questions/{number}/answer"} <= set(paths)
