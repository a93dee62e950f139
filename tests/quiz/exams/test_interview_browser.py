"""A real Chromium takes a two-question mock interview, reloads in the middle, types answers, finishes, and waits
for the report that the real Celery worker grades with the real encoder; screenshots at desktop and phone width."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from quiz.bank.services.bank import bank_load
from quiz.exams.models import Interview
from quiz.exams.services.interview import interview_start

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
GRADING_TIMEOUT_MS = 180_000


def _log_in(page, live_server, user, password, next_url):
    page.goto(f"{live_server.url}/accounts/login/?next={next_url}")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")


def _current(interview_id) -> tuple[int, object]:
    interview = Interview.objects.get(pk=interview_id)
    answer = interview.answers.select_related("card").get(position=interview.current_position)
    return interview.current_position, answer


@pytest.mark.worker
@pytest.mark.smoke
def test_take_an_interview_reload_midway_finish_and_read_the_graded_report(
    live_server,
    page,
    user,
    password,
    screenshot,
    demo_worker,  # noqa: F811
):
    bank_load()
    _log_in(page, live_server, user, password, "/interview/")
    page.select_option("select[name=questions]", "2")
    page.select_option("select[name=minutes]", "5")
    page.get_by_label("Decoding & inference").check()
    page.get_by_role("button", name="Start the interview").click()
    page.wait_for_selector("textarea#answer-text")
    interview_id = Interview.objects.get(user=user).pk
    assert page.inner_text("[data-timer-text]").startswith(("5:00", "4:5"))

    # Question 1: a good answer in the candidate's own words (the card's key points), autosaved on blur.
    _, first = _current(interview_id)
    good = " ".join(point.rstrip(".") + "." for point in first.card.key_points)
    page.fill("textarea#answer-text", good)
    page.locator("textarea#answer-text").blur()
    page.wait_for_selector("text=/Saved \\d/")
    assert first.__class__.objects.get(pk=first.pk).text == good

    # Reload in the middle: the draft and the server's clock come back.
    before = page.inner_text("[data-timer-text]")
    page.reload()
    page.wait_for_selector("textarea#answer-text")
    assert page.input_value("textarea#answer-text") == good
    assert page.inner_text("[data-timer-text]") <= before
    screenshot(page, "interview_question")
    page.get_by_role("button", name="Submit answer").click()
    page.wait_for_selector("text=Question 2 of 2")

    # Question 2: a short answer, then finish (the open answer travels with the finish request).
    _, second = _current(interview_id)
    assert second.pk != first.pk
    page.fill("textarea#answer-text", "I am not sure; something about <b>tokens</b>.")
    page.on("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Finish interview").click()
    page.wait_for_url(f"**/interview/{interview_id}/report/")
    page.wait_for_selector("[data-overall-score]", timeout=GRADING_TIMEOUT_MS)  # polled until the worker is done

    interview = Interview.objects.get(pk=interview_id)
    answers = list(interview.answers.order_by("position"))
    assert interview.status == Interview.Status.GRADED and all(a.graded_at for a in answers)
    assert answers[1].text == "I am not sure; something about <b>tokens</b>."
    assert answers[0].score > answers[1].score and not any(a.late for a in answers)
    assert page.locator(".report-item").count() == 2
    assert "something about <b>tokens</b>." in page.inner_text(".report-item >> nth=1")  # shown as typed, escaped
    screenshot(page, "interview_report")

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the report scrolls sideways on a phone"
    screenshot(page, "interview_report_phone")
    page.goto(f"{live_server.url}/interview/history/")
    assert page.locator("svg.trend-chart circle").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the history scrolls sideways on a phone"
    screenshot(page, "interview_history_phone")


def test_the_countdown_warns_at_one_minute_and_a_draft_survives_leaving_the_page(
    live_server, page, user, password, screenshot
):
    bank_load()
    interview = interview_start(user=user, topics=["decoding"], questions=2, minutes=5)
    Interview.objects.filter(pk=interview.pk).update(deadline=timezone.now() + timedelta(seconds=62))
    page.set_viewport_size({"width": 390, "height": 844})
    _log_in(page, live_server, user, password, f"/interview/{interview.pk}/")
    page.wait_for_selector("[data-timer-text]")
    # polled by Playwright without evaluating a string in the page (the site's CSP forbids eval)
    expect(page.locator("[data-timer-alert]")).to_contain_text("One minute left", timeout=8_000)
    assert page.is_visible("[data-timer-note]") and "warning" in page.get_attribute("[data-timer]", "class")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "the question page scrolls sideways"
    screenshot(page, "interview_question_phone")

    # Leaving the page (closing the tab, following a link) sends the unsaved draft with sendBeacon.
    page.fill("textarea#answer-text", "typed, never blurred, then the tab went away")
    page.goto(f"{live_server.url}/bank/")
    answer = interview.answers.get(position=0)
    for _ in range(20):
        answer.refresh_from_db()
        if answer.text:
            break
        page.wait_for_timeout(100)
    assert answer.text == "typed, never blurred, then the tab went away"
