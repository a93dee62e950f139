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
    assert {
        "/api/quiz/",
        "/api/quiz/{quiz_id}",
        "/api/quiz/{quiz_id}/questions/{number}/answer",
        "/api/quiz/{quiz_id}/match",
    } <= set(paths)


def test_the_api_serves_true_false_with_its_why_once_answered(user_client):
    make_cards(6)
    quiz = post(user_client, "/api/quiz/", {"length": 5, "format": "truefalse"}).json()
    first = quiz["questions"][0]
    assert quiz["format"] == "truefalse" and first["kind"] == "truefalse" and first["options"] == ["True", "False"]
    assert first["statement"] and first["why"] is None
    row = QuizQuestion.objects.get(quiz_id=quiz["id"], position=0)
    after = post(user_client, f"/api/quiz/{quiz['id']}/questions/1/answer", {"choice": 1 - row.correct_index}).json()
    assert after["questions"][0]["correct"] is False and after["questions"][0]["why"]["wrong"] == row.why


def test_the_api_takes_typed_answers_and_multiple_choice_why_lines(user_client, monkeypatch):
    monkeypatch.setattr("quizsite.celery.app.send_task", lambda *args, **kwargs: None)
    make_cards(6)
    typed = post(user_client, "/api/quiz/", {"length": 5, "format": "typed"}).json()
    assert typed["questions"][0]["options"] == [] and typed["questions"][0]["kind"] == "typed"
    no_text = post(user_client, f"/api/quiz/{typed['id']}/questions/1/answer", {"choice": 0})
    assert no_text.status_code == 400 and "Write an answer" in no_text.json()["detail"]
    too_long = post(user_client, f"/api/quiz/{typed['id']}/questions/1/answer", {"text": "x" * 4001})
    assert too_long.status_code == 422
    done = post(user_client, f"/api/quiz/{typed['id']}/questions/1/answer", {"text": "Weights mix values."}).json()
    assert done["questions"][0]["response"] == "Weights mix values." and done["questions"][0]["score"] is None

    mcq = post(user_client, "/api/quiz/", {"length": 5, "format": "mcq"}).json()
    row = QuizQuestion.objects.get(quiz_id=mcq["id"], position=0)
    wrong = (row.correct_index + 1) % len(row.options)
    after = post(user_client, f"/api/quiz/{mcq['id']}/questions/1/answer", {"choice": wrong}).json()
    assert after["questions"][0]["why"] == {"right": row.card.key_points[0], "wrong": row.options[wrong]["why"]}


def test_the_api_plays_a_match_board_with_bounds(user_client):
    make_cards(8)
    board = post(user_client, "/api/quiz/", {"format": "match"}).json()
    assert board["total"] == 6 and all(len(q["options"]) == 6 for q in board["questions"])
    assert post(user_client, f"/api/quiz/{board['id']}/match", {"number": 7, "choice": 0}).status_code == 422
    assert post(user_client, f"/api/quiz/{board['id']}/match", {"number": 1, "choice": 6}).status_code == 422
    assert post(user_client, "/api/quiz/", {"format": "essay"}).status_code == 422
    rows = QuizQuestion.objects.filter(quiz_id=board["id"]).order_by("position")
    for row in rows:
        out = post(user_client, f"/api/quiz/{board['id']}/match", {"number": row.position + 1,
                                                                  "choice": row.correct_index}).json()  # fmt: skip
    assert out["finished_at"] and out["match_mistakes"] == 0 and out["match_seconds"] is not None
    assert out["best_match_seconds"] == out["match_seconds"] and out["correct"] == 6
