"""Real Chromium on the bundled bank: a multiple-choice quiz with feedback after each question and a missed card
into the study deck; then every format by keyboard alone (1-4, T/F, Enter; typing in the answer box is never taken
for a key; the match board by Tab and Enter)."""

import pytest

from quiz.bank.services.bank import bank_load
from quiz.exams.models import Quiz
from quiz.study.models import StudyFlag
from tests.browser_helpers import htmx_settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def no_broker(monkeypatch):
    """The typed answer's grading task is not what this test is about (test_quiz_typed_worker.py runs it)."""
    monkeypatch.setattr("quizsite.celery.app.send_task", lambda *args, **kwargs: None)


def _login(page, live_server, user, password):
    page.goto(f"{live_server.url}/accounts/login/?next=/quiz/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/quiz/")


def test_take_a_quiz_with_immediate_feedback_and_study_a_miss(live_server, page, user, password, screenshot):
    bank_load()
    _login(page, live_server, user, password)
    page.get_by_label("Multiple choice").check()
    page.get_by_label("Attention").check()
    page.select_option("select[name=length]", "5")
    screenshot(page, "quiz_start")
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("fieldset.options")
    quiz = Quiz.objects.get(user=user)
    question = quiz.questions.get(position=0)
    assert page.locator("label.option").count() == len(question.options) >= 4
    screenshot(page, "quiz_question")

    wrong = (question.correct_index + 1) % len(question.options)
    page.locator("label.option").nth(wrong).click()
    page.get_by_role("button", name="Check").click()
    page.wait_for_selector(".verdict.bad")
    htmx_settled(page)
    assert page.locator("li.right").count() == 1 and page.locator("li.chosen-wrong").count() == 1
    assert page.locator(".why-wrong").inner_text().startswith("Why not:")
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


def _focused(page) -> str:
    return page.evaluate("document.activeElement.outerHTML.slice(0, 120)")


def test_every_format_by_keyboard_alone(live_server, page, user, password, screenshot, no_broker):
    bank_load()
    _login(page, live_server, user, password)

    # Multiple choice: 2 picks the second option (focused, visibly), Enter checks, Enter goes on.
    page.get_by_label("Multiple choice").check()
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("fieldset.options")
    quiz = Quiz.objects.get(user=user)
    page.wait_for_load_state()  # keys work once the deferred script has run
    page.keyboard.press("2")
    assert page.locator("input[name=choice]").nth(1).is_checked() and 'value="1"' in _focused(page)
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") != "none"
    page.keyboard.press("Enter")
    page.wait_for_selector(".verdict")
    assert quiz.questions.get(position=0).chosen_index == 1
    assert "next-link" in _focused(page)
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/quiz/{quiz.pk}/")
    page.wait_for_selector("fieldset.options")
    page.wait_for_load_state()
    assert not page.locator("input[name=choice]:checked").count()

    # True/false: F answers "false".
    page.goto(f"{live_server.url}/quiz/")
    page.get_by_label("True or false").check()
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("fieldset.options")
    page.wait_for_load_state()
    statement = Quiz.objects.filter(user=user).latest("pk").questions.get(position=0)
    page.keyboard.press("f")
    page.keyboard.press("Enter")
    page.wait_for_selector(".verdict")
    statement.refresh_from_db()
    assert statement.chosen_index == 1 and statement.correct == (statement.correct_index == 1)
    assert statement.why in page.locator(".why-right").inner_text()
    screenshot(page, "quiz_truefalse_feedback")

    # Typed answer: digits, T and F typed into the box stay text; Enter there is a new line; Ctrl+Enter submits.
    page.goto(f"{live_server.url}/quiz/")
    page.get_by_label("Typed answer").check()
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector("textarea#typed-text")
    page.wait_for_load_state()
    assert "typed-text" in _focused(page)
    page.keyboard.type("1 2 T F")
    page.keyboard.press("Enter")
    page.keyboard.type("Scores are scaled by the square root of d_k.")
    assert page.input_value("textarea#typed-text") == "1 2 T F\nScores are scaled by the square root of d_k."
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("text=Grading your answer")
    typed = Quiz.objects.filter(user=user).latest("pk").questions.get(position=0)
    assert typed.response.startswith("1 2 T F")

    # Match: Tab to a question tile, Enter; Tab to its answer tile, Enter; a wrong one first costs a second.
    page.goto(f"{live_server.url}/quiz/")
    page.get_by_label("Match").check()
    page.get_by_role("button", name="Start the quiz").click()
    page.wait_for_selector(".match-tiles:not([hidden])")
    board = Quiz.objects.filter(user=user).latest("pk")
    rows = list(board.questions.all())
    screenshot(page, "quiz_match")
    for index, row in enumerate(rows):
        choices = [row.correct_index] if index else [(row.correct_index + 1) % len(rows), row.correct_index]
        for choice in choices:
            page.focus(f'.match-q[data-number="{row.position + 1}"]')
            page.keyboard.press("Enter")
            page.focus(f'.match-a[data-choice="{choice}"]')
            page.keyboard.press("Enter")
            if choice != row.correct_index:
                page.wait_for_selector("text=Not a pair")
            elif index < len(rows) - 1:
                page.wait_for_selector(f'.match-a[data-choice="{choice}"]', state="detached")
    page.wait_for_selector("text=Matched in")
    board.refresh_from_db()
    assert board.match_mistakes == 1 and board.match_seconds >= 1.0
    assert "Your best time." in page.content()
    screenshot(page, "quiz_match_done")
