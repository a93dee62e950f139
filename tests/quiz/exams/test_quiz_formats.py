"""Quiz services on authored items: options are the card's own, shuffled by the seed; true/false; typed answers
queued for the worker; match scoring and best time; the why lines; cards without items."""

import random
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quiz.exams.models import Quiz, QuizQuestion
from quiz.exams.services import quiz_grading, quiz_match
from quiz.exams.services.quiz import (
    ERROR_KIND,
    MATCH_SIZE,
    QuizError,
    card_kinds,
    question_feedback,
    quiz_answer,
    quiz_answer_typed,
    quiz_create,
)
from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db
Kind = QuizQuestion.Kind


def _create(user, quiz_format, *, length=5, seed=1, **kwargs) -> Quiz:
    return quiz_create(user=user, topics=[], difficulty=None, length=length, quiz_format=quiz_format,
                       rng=random.Random(seed), **kwargs)  # fmt: skip


def test_mcq_options_are_exactly_the_cards_answer_and_distractors_shuffled_by_the_seed(user):
    make_cards(8)
    quiz = _create(user, "mcq", length=8, seed=7)
    orders = []
    for question in quiz.questions.select_related("card"):
        mcq = question.card.quiz_items["mcq"]
        texts = [option["text"] for option in question.options]
        assert sorted(texts) == sorted([mcq["answer"], *mcq["distractors"]])
        assert texts[question.correct_index] == mcq["answer"]
        for option in question.options:  # each distractor keeps its own why line
            if option["text"] != mcq["answer"]:
                assert option["why"] == mcq["why"][mcq["distractors"].index(option["text"])]
        orders.append((question.card_id, texts))
    again = _create(user, "mcq", length=8, seed=7)
    assert [(q.card_id, [o["text"] for o in q.options]) for q in again.questions.all()] == orders
    other = _create(user, "mcq", length=8, seed=8)
    by_card = dict(orders)
    assert any([o["text"] for o in q.options] != by_card[q.card_id] for q in other.questions.all())
    assert len({index for q in quiz.questions.all() for index in [q.correct_index]}) > 1  # not always first


def test_true_false_is_right_only_for_the_statements_truth_and_says_why(user):
    make_cards(6)
    quiz = _create(user, "truefalse", length=6)
    for question in quiz.questions.select_related("card"):
        statement = next(s for s in question.card.quiz_items["statements"] if s["text"] == question.prompt)
        assert question.options == [{"text": "True"}, {"text": "False"}]
        assert question.correct_index == (0 if statement["true"] else 1)
        wrong = 1 - question.correct_index
        result = quiz_answer(quiz=quiz, position=question.position, choice=wrong)
        assert result.question.correct is False
        feedback = question_feedback(result.question)
        assert feedback.wrong_why == statement["why"] == feedback.right_why
    quiz.refresh_from_db()
    assert quiz.finished_at is not None


def test_a_right_true_false_answer_counts(user):
    make_cards(3)
    quiz = _create(user, "truefalse", length=1)
    question = quiz.questions.get()
    assert quiz_answer(quiz=quiz, position=0, choice=question.correct_index).question.correct is True
    assert question_feedback(QuizQuestion.objects.get(pk=question.pk)).wrong_why == ""


def test_the_why_lines_of_a_multiple_choice_pick(user):
    make_cards(4)
    quiz = _create(user, "mcq", length=1)
    question = quiz.questions.select_related("card").get()
    wrong = (question.correct_index + 1) % len(question.options)
    answered = quiz_answer(quiz=quiz, position=0, choice=wrong).question
    feedback = question_feedback(answered)
    assert feedback.wrong_why == question.options[wrong]["why"] and feedback.wrong_why.startswith("Why wrong")
    assert feedback.right_text == question.card.quiz_items["mcq"]["answer"]
    assert feedback.right_why == question.card.key_points[0]
    assert feedback.card_url == question.card.get_absolute_url()


def test_cards_without_items_are_only_typed_or_matched_by_their_first_key_point(user):
    make_cards(4, topic="imported", items=False)
    for quiz_format in ("mcq", "truefalse"):
        with pytest.raises(QuizError, match="authored"):
            _create(user, quiz_format)
    typed = _create(user, "typed", length=4)
    assert {q.kind for q in typed.questions.all()} == {Kind.TYPED}
    mixed = _create(user, "mixed", length=4)
    assert {q.kind for q in mixed.questions.all()} == {Kind.TYPED}
    match = _create(user, "match")
    for question in match.questions.select_related("card"):
        assert question.options[question.correct_index]["text"] == question.card.key_points[0]


def test_mcq_quizzes_leave_out_cards_without_items(user):
    with_items = make_cards(3)
    make_cards(5, topic="imported", items=False)
    quiz = _create(user, "mcq", length=10)
    assert {q.card_id for q in quiz.questions.all()} == {card.pk for card in with_items}


def test_mixed_takes_turns_between_the_kinds_a_card_allows(user):
    cards = make_cards(6)
    assert card_kinds(cards[0]) == [Kind.MCQ, Kind.TRUEFALSE, Kind.TYPED, Kind.MATCH]
    quiz = _create(user, "mixed", length=6)
    kinds = [q.kind for q in quiz.questions.all()]
    assert kinds.count(Kind.MCQ) == kinds.count(Kind.TRUEFALSE) == kinds.count(Kind.TYPED) == 2


def test_a_typed_answer_is_kept_and_sent_to_the_worker_once_committed(user, django_capture_on_commit_callbacks,
                                                                      monkeypatch):  # fmt: skip
    sent = []
    monkeypatch.setattr("quizsite.celery.app.send_task", lambda name, *, args, **options: sent.append((name, args)))
    make_cards(3)
    quiz = _create(user, "typed", length=2)
    with pytest.raises(QuizError):
        quiz_answer_typed(quiz=quiz, position=0, text="   ")
    with pytest.raises(QuizError, match=ERROR_KIND):
        quiz_answer(quiz=quiz, position=0, choice=0)
    with django_capture_on_commit_callbacks(execute=True):
        result = quiz_answer_typed(quiz=quiz, position=0, text="  It mixes values with weights.  ")
    assert result.question.response == "It mixes values with weights." and result.question.correct is None
    assert sent == [(quiz_grading.GRADE_TASK, [quiz.pk])] and not result.finished
    with django_capture_on_commit_callbacks(execute=True):
        quiz_answer_typed(quiz=quiz, position=0, text="Changed my mind")  # the first answer counts
    assert QuizQuestion.objects.get(pk=result.question.pk).response == "It mixes values with weights."
    assert quiz_grading.quiz_grading_pending(quiz=quiz)
    quiz.refresh_from_db()
    assert not quiz_grading.quiz_grade_nudge(quiz=quiz)  # just sent
    later = timezone.now() + quiz_grading.REQUEUE_AFTER + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert quiz_grading.quiz_grade_nudge(quiz=quiz, now=later)
    assert len(sent) == 2  # a repeat answer sent none


def test_match_scoring_penalties_and_best_time(user):
    make_cards(8)
    start = timezone.now()

    def play(seconds: float, wrong: int) -> quiz_match.PairResult:
        quiz = _create(user, "match")
        quiz_match.match_open(quiz=quiz, now=start)
        rows = list(quiz.questions.all())
        assert len(rows) == MATCH_SIZE and len({q.correct_index for q in rows}) == len(rows)
        for _ in range(wrong):
            bad = (rows[0].correct_index + 1) % len(rows)
            assert not quiz_match.match_pair(quiz=quiz, position=0, choice=bad, now=start).right
        for index, row in enumerate(rows):
            when = start + timedelta(seconds=seconds) if index == len(rows) - 1 else start
            result = quiz_match.match_pair(quiz=quiz, position=row.position, choice=row.correct_index, now=when)
            assert result.right
        quiz.refresh_from_db()
        assert quiz.match_seconds == pytest.approx(seconds + wrong * quiz_match.PENALTY_SECONDS)
        assert quiz.finished_at and quiz.match_mistakes == wrong
        assert [q.correct for q in quiz.questions.all()][0] is (wrong == 0)  # mispaired: missed
        return result

    first = play(20.0, 2)
    assert first.finished and first.best and first.seconds == pytest.approx(22.0)
    assert not play(25.0, 0).best  # 25 s is slower than 22 s
    assert play(10.0, 1).best
    assert quiz_match.match_best(user=user) == pytest.approx(11.0)


def test_match_refuses_a_taken_answer_and_ignores_a_question_already_paired(user):
    make_cards(6)
    quiz = _create(user, "match")
    rows = list(quiz.questions.all())
    quiz_match.match_pair(quiz=quiz, position=0, choice=rows[0].correct_index)
    with pytest.raises(QuizError, match="already paired"):
        quiz_match.match_pair(quiz=quiz, position=1, choice=rows[0].correct_index)
    again = quiz_match.match_pair(quiz=quiz, position=0, choice=rows[1].correct_index)
    assert again.right is False and Quiz.objects.get(pk=quiz.pk).match_mistakes == 0  # nothing counted
    with pytest.raises(QuizError):
        quiz_match.match_pair(quiz=quiz, position=9, choice=0)


def test_a_grading_failure_reaches_the_page_and_can_be_tried_again(user, user_client, monkeypatch,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    sent = []
    monkeypatch.setattr("quizsite.celery.app.send_task", lambda name, *, args, **options: sent.append(args))
    make_cards(3)
    quiz = _create(user, "typed", length=1)
    quiz_answer_typed(quiz=quiz, position=0, text="Values are mixed by weights.")

    def broken_encoder(texts):
        raise RuntimeError("model file missing")

    assert quiz_grading.quiz_grade_run(quiz_id=quiz.pk, embed=broken_encoder) == 0
    question = quiz.questions.get()
    assert "model file missing" in question.grade["error"] and question.graded_at is None
    assert not quiz_grading.quiz_grading_pending(quiz=quiz)  # no endless polling, no resending on its own
    partial = user_client.get(reverse("quiz:quiz_grade_status", args=[quiz.pk, 1])).content.decode()
    assert "Grading failed (RuntimeError: model file missing)" in partial and "Grade it again" in partial
    assert "hx-get" not in partial
    with django_capture_on_commit_callbacks(execute=True):
        retried = user_client.post(reverse("quiz:quiz_grade_retry", args=[quiz.pk, 1]), headers={"HX-Request": "true"})
    assert "Grading your answer" in retried.content.decode() and sent[-1] == [quiz.pk]
    assert quiz.questions.get().grade == {} and quiz_grading.quiz_grading_pending(quiz=quiz)
