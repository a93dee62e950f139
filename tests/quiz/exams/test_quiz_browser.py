"""A real Chromium takes a short quiz with feedback after each question and adds a missed card to the study deck."""

import pytest

from quiz.bank.services.bank import bank_load
from quiz.bank.services.embeddings import card_embeddings_ensure
from quiz.exams.models import Quiz
from quiz.study.models import StudyFlag
from tests.browser_helpers import htmx_settled
from tests.quiz.exam_helpers import bow_embed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_take_a_quiz_with_immediate_feedback_and_study_a_miss(live_server, page, user, password, screenshot):
    bank_load()
    card_embeddings_ensure(embed=bow_embed)  # stored vectors: the page does not load the encoder
    page.goto(f"{live_server.url}/accounts/login/?next=/quiz/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.get_by_label("Attention").check()
    page.select_option("select[name=length]", "5")
    screenshot(page, "quiz_start")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("fieldset.options")
    assert page.locator("label.option").count() == 4
    screenshot(page, "quiz_question")

    quiz = Quiz.objects.get(user=user)
    question = quiz.questions.get(position=0)
    wrong = (question.correct_index + 1) % 4
    page.locator("label.option").nth(wrong).click()
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector(".verdict.bad")
    htmx_settled(page)
    assert page.locator("li.right").count() == 1 and page.locator("li.chosen-wrong").count() == 1
    page.get_by_role("button", name="Add to study deck (due now)").click()
    page.wait_for_selector("text=Added to your study deck")
    htmx_settled(page)
    assert StudyFlag.objects.filter(user=user, card=question.card, source=StudyFlag.Source.QUIZ).exists()
    screenshot(page, "quiz_feedback")

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("link", name="Next question").click()
    page.wait_for_selector("fieldset.options")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the quiz scrolls sideways on a phone"
    screenshot(page, "quiz_question_phone")
