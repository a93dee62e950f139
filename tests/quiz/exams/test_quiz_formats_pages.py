"""Quiz pages for each format through the test client: the start page's choice, true/false, typed answers (errors
keep the text; the grade is polled), match (forms and the board's JSON), mixed, and quizzes made before items."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz.exams.models import Quiz, QuizQuestion
from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_broker(monkeypatch):
    """Typed answers queue a grading task; these page tests look at the pages, not the worker."""
    monkeypatch.setattr("quizsite.celery.app.send_task", lambda *args, **kwargs: None)


def _start(client, quiz_format, *, feedback="immediate", length=5) -> Quiz:
    response = client.post(reverse("quiz:quiz_start"), {"length": length, "feedback": feedback, "difficulty": "",
                                                        "quiz_format": quiz_format})  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    return Quiz.objects.latest("created_at")


def _answer(client, quiz, number, data):
    return client.post(reverse("quiz:quiz_answer", args=[quiz.pk, number]), data)


def test_the_start_page_offers_every_format_and_says_how_imported_cards_are_asked(user_client):
    make_cards(3)
    make_cards(2, topic="imported", items=False)
    page = user_client.get(reverse("quiz:quiz_start")).content.decode()
    for value in ("mixed", "mcq", "truefalse", "typed", "match"):
        assert f'name="quiz_format" value="{value}"' in page
    assert "2 cards have no written options" in page and "typed answers" in page


def test_a_format_without_items_is_a_clear_error_on_the_start_page(user_client):
    make_cards(3, topic="imported", items=False)
    response = user_client.post(reverse("quiz:quiz_start"), {"length": 5, "feedback": "immediate",
                                                             "quiz_format": "mcq"})  # fmt: skip
    assert response.status_code == 200 and "authored multiple choice items" in response.content.decode()


def test_true_false_page_keys_and_feedback_with_the_statements_why(user_client):
    make_cards(4)
    quiz = _start(user_client, "truefalse")
    question = quiz.questions.get(position=0)
    page = user_client.get(quiz.get_absolute_url()).content.decode()
    assert question.prompt in page and 'data-key="t"' in page and 'data-key="f"' in page
    assert "js/quiz.js" in page and "<script>" not in page and "onclick" not in page
    response = _answer(user_client, quiz, 1, {"choice": 1 - question.correct_index})
    page = user_client.get(response.url).content.decode()
    assert "Not quite: the statement is" in page and question.why in page
    assert question.card.get_absolute_url() in page and 'id="next-link"' in page


def test_typed_answer_errors_keep_the_text_and_a_submitted_answer_polls_for_its_grade(user_client):
    make_cards(3)
    quiz = _start(user_client, "typed")
    page = user_client.get(quiz.get_absolute_url()).content.decode()
    assert '<label for="typed-text">Your answer' in page and "<textarea" in page
    empty = _answer(user_client, quiz, 1, {"text": ""})
    assert empty.status_code == 400 and "Write an answer first." in empty.content.decode()
    long = "attention " * 500
    too_long = _answer(user_client, quiz, 1, {"text": long})
    assert too_long.status_code == 400 and long.strip() in too_long.content.decode()  # nothing lost
    assert QuizQuestion.objects.get(quiz=quiz, position=0).answered_at is None
    response = _answer(user_client, quiz, 1, {"text": "It mixes <b>values</b> with weights."})
    page = user_client.get(response.url).content.decode()
    assert "It mixes &lt;b&gt;values&lt;/b&gt; with weights." in page  # escaped
    status_url = reverse("quiz:quiz_grade_status", args=[quiz.pk, 1])
    assert f'hx-get="{status_url}"' in page and "Grading your answer" in page
    question = QuizQuestion.objects.get(quiz=quiz, position=0)
    # What the worker writes (tests/quiz/exams/test_quiz_typed_worker.py runs the real one).
    question.score, question.correct, question.graded_at = 42, False, timezone.now()
    question.grade = {"covered": ["weights number 0"], "missed": ["it is parallel"], "explanation": "2 of 3.",
                      "contradicted": []}  # fmt: skip
    question.save()
    partial = user_client.get(status_url, headers={"HX-Request": "true"}).content.decode()
    assert "Not enough" in partial and "42/100" in partial and "it is parallel" in partial and "hx-get" not in partial
    assert "Add to study deck" in partial  # the page it arrives in was rendered before the grade


def test_match_board_pairs_by_form_and_by_json_and_ends_with_the_time(user_client, user):
    make_cards(8)
    quiz = _start(user_client, "match")
    rows = list(quiz.questions.all())
    page = user_client.get(quiz.get_absolute_url()).content.decode()
    assert page.count('class="match-pair"') == len(rows) == 6 and 'role="timer"' in page
    assert page.count('class="match-tile match-q"') == 6 and page.count('class="match-tile match-a"') == 6
    pair_url = reverse("quiz:quiz_match_pair", args=[quiz.pk])
    wrong = (rows[0].correct_index + 1) % 6
    response = user_client.post(pair_url, {"number": 1, "choice": wrong}, follow=True)
    assert "Not a pair: 1 second added." in response.content.decode()
    bad = user_client.post(pair_url, {"number": 9, "choice": 0}, headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "Pick one of this board" in bad.json()["error"]
    for row in rows:
        data = user_client.post(pair_url, {"number": row.position + 1, "choice": row.correct_index},
                                headers={"Accept": "application/json"}).json()  # fmt: skip
        assert data["right"] and data["mistakes"] == 1
    assert data["finished"] and data["best"] and data["seconds"] >= 1.0
    page = user_client.get(quiz.get_absolute_url()).content.decode()
    assert "Matched in" in page and "Your best time." in page and "1 wrong pairing" in page
    assert "Add the 1 card you mispaired to the study deck" in page
    assert f"<strong>Why:</strong> {rows[0].card.key_points[0]}" in page  # the mispaired card's first key point


def test_mixed_quiz_serves_each_kind_in_turn_and_scores_them(user_client):
    make_cards(6)
    quiz = _start(user_client, "mixed", feedback="end")
    for question in quiz.questions.all():
        page = user_client.get(quiz.get_absolute_url()).content.decode()
        if question.kind == QuizQuestion.Kind.TYPED:
            assert "<textarea" in page
            _answer(user_client, quiz, question.position + 1, {"text": "Values are mixed with weights."})
        else:
            assert page.count('type="radio" name="choice"') == len(question.options)
            _answer(user_client, quiz, question.position + 1, {"choice": question.correct_index})
    kinds = [q.kind for q in quiz.questions.all()]
    assert set(kinds) == {"mcq", "truefalse", "typed"}
    page = user_client.get(quiz.get_absolute_url()).content.decode()
    right = len(kinds) - kinds.count("typed")
    assert f"Score: {right} / 5" in page and "still being graded" in page  # the typed ones wait for the worker


def test_a_quiz_made_before_authored_items_still_works(user, user_client):
    cards = make_cards(4, items=False)
    quiz = Quiz.objects.create(user=user)
    QuizQuestion.objects.create(quiz=quiz, position=0, card=cards[0], correct_index=2,
                                options=[{"card_id": c.pk, "text": f"Old option {c.pk}"} for c in cards])  # fmt: skip
    page = user_client.get(quiz.get_absolute_url()).content.decode()
    assert page.count('type="radio" name="choice"') == 4 and "Old option" in page
    response = _answer(user_client, quiz, 1, {"choice": 0})
    page = user_client.get(response.url).content.decode()
    assert "Not quite: the right answer is C." in page and cards[0].key_points[0] in page
    assert json.loads(user_client.get(f"/api/quiz/{quiz.pk}").content)["questions"][0]["kind"] == "mcq"
