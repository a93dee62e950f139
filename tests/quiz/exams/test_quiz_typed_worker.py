"""Typed quiz answers are graded by the real Celery worker with the real encoder (the interview grader), and the
feedback page's poll picks the grade up."""

import time

import pytest
from django.urls import reverse

from quiz.bank.services.bank import bank_load
from quiz.exams.models import Quiz, QuizQuestion
from quiz.exams.services.quiz_grading import TYPED_PASS

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
GRADING_TIMEOUT = 180


def _graded(question_ids: list[int]) -> list[QuizQuestion]:
    deadline = time.monotonic() + GRADING_TIMEOUT
    while time.monotonic() < deadline:
        rows = list(QuizQuestion.objects.filter(pk__in=question_ids, graded_at__isnull=False).order_by("position"))
        if len(rows) == len(question_ids):
            return rows
        time.sleep(0.5)
    pytest.fail(f"typed answers not graded after {GRADING_TIMEOUT} s")


def test_typed_answers_are_graded_on_the_worker_and_shown(user_client, demo_worker):  # noqa: F811
    bank_load()
    response = user_client.post(reverse("quiz:quiz_start"), {"length": 5, "feedback": "immediate",
                                                             "quiz_format": "typed", "topics": ["attention"]})  # fmt: skip
    quiz = Quiz.objects.get(pk=int(response.url.strip("/").split("/")[-1]))
    first, second = quiz.questions.select_related("card")[:2]
    good = " ".join(point.rstrip(".") + "." for point in first.card.key_points)  # every key point, stated
    user_client.post(reverse("quiz:quiz_answer", args=[quiz.pk, 1]), {"text": good})
    user_client.post(reverse("quiz:quiz_answer", args=[quiz.pk, 2]), {"text": "I would bake bread at home."})
    right, wrong = _graded([first.pk, second.pk])
    assert right.score >= TYPED_PASS and right.correct is True and right.grade["covered"]
    assert wrong.score < TYPED_PASS and wrong.correct is False and wrong.grade["missed"]
    partial = user_client.get(reverse("quiz:quiz_grade_status", args=[quiz.pk, 2])).content.decode()
    assert f"{wrong.score}/100" in partial and "Key points you missed" in partial
