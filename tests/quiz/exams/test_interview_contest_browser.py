"""A real Chromium on a graded interview report (graded in-process with the stand-in encoder): contest a key point
by keyboard, see the answer's and the overall score change with focus kept on the pressed button, undo, change a
study rating and save the answers to the study schedule."""

import pytest
from django.conf import settings

from quiz.exams.models import Interview, KeyPointContest
from quiz.exams.services import interview as interview_svc
from quiz.exams.services.interview_study import score_rating
from quiz.study.models import StudyReview
from tests.browser_helpers import htmx_settled
from tests.quiz.exams.contest_helpers import graded_interview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_contest_a_point_by_keyboard_then_save_the_answers_to_the_study_schedule(
    page, live_server, user, client, monkeypatch, screenshot
):
    monkeypatch.setattr(interview_svc, "interview_grade_enqueue", lambda *, interview_id: None)
    interview = graded_interview(user=user)
    answer = interview.answers.get(position=1)
    index = next(i for i, v in enumerate(answer.verdicts) if v["status"] in ("missed", "partly"))
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(f"{live_server.url}/interview/{interview.pk}/report/")
    page.wait_for_selector("[data-overall-score]")
    overall_before = page.inner_text("#overall-score .num")
    pill = f"#answer-{answer.pk}-score"
    assert page.inner_text(pill).startswith(str(answer.score))

    # Keyboard only: focus the "I did not" button of the point, Shift+Tab back to "I did cover this", press Enter.
    button = f"#kp-{answer.pk}-{index}-covered"
    page.focus(f"#kp-{answer.pk}-{index}-missed")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate("document.activeElement.id") == button[1:]
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{button}[aria-pressed=true]")
    htmx_settled(page)
    answer.refresh_from_db()
    assert answer.contested_score > answer.score
    assert page.inner_text(pill).startswith(
        str(answer.contested_score)
    ) and f"grader: {answer.score}" in page.inner_text(pill)
    assert page.inner_text("#overall-score .num") == str(Interview.objects.get(pk=interview.pk).score) != overall_before
    assert page.evaluate("document.activeElement.id") == button[1:]  # focus stays on the pressed button
    assert "you said covered" in page.inner_text(f"#answer-{answer.pk}-judgement")
    assert "score" in page.inner_text("#report-announce")
    screenshot(page, "interview_contest")

    # Undo by keyboard: Tab to Undo, Enter; the grader's verdict stands again and focus comes back to the point.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == f"kp-{answer.pk}-{index}-undo"
    page.keyboard.press("Enter")
    page.wait_for_selector(f"#kp-{answer.pk}-{index}-undo", state="detached")
    htmx_settled(page)
    assert page.inner_text(pill).startswith(str(answer.score)) and not KeyPointContest.objects.exists()
    assert page.evaluate("document.activeElement.id") == button[1:]

    # Contest again, then change the first answer's rating and save the interview to the study schedule.
    page.keyboard.press("Enter")
    page.wait_for_selector(f"{button}[aria-pressed=true]")
    htmx_settled(page)
    first = interview.answers.get(position=0)
    page.get_by_label("Study rating for this card").first.select_option("2")
    page.get_by_role("button", name="Save to my study schedule").click()
    page.wait_for_selector("[data-schedule-saved]")
    assert "Saved 3 reviews" in page.inner_text("main")
    assert StudyReview.objects.get(user=user, card=first.card).rating == 2
    answer.refresh_from_db()
    assert StudyReview.objects.get(user=user, card=answer.card).rating == score_rating(answer.contested_score)
    screenshot(page, "interview_schedule_saved")
    assert not errors, errors


def test_a_contested_and_saved_report_has_no_axe_violations(browser, live_server, user, client, monkeypatch):
    """The report's new states (a pressed verdict, the grader's score beside the learner's, a saved rating) at
    both widths and in both colour schemes; the page as first shown is audited with every page in test_a11y."""
    from quiz.exams.services.interview_contest import key_point_contest
    from quiz.exams.services.interview_study import interview_reviews_save
    from tests.a11y_pages import axe_run

    monkeypatch.setattr(interview_svc, "interview_grade_enqueue", lambda *, interview_id: None)
    interview = graded_interview(user=user)
    answer = interview.answers.get(position=1)
    index = next(i for i, v in enumerate(answer.verdicts) if v["status"] in ("missed", "partly"))
    key_point_contest(user=user, answer_id=answer.pk, index=index, verdict="covered")
    key_point_contest(user=user, answer_id=answer.pk, index=(index + 1) % len(answer.verdicts), verdict="missed")
    saved = graded_interview(user=user, seed=5)
    interview_reviews_save(user=user, interview=saved, ratings={})
    client.force_login(user)
    cookie = {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
              "url": live_server.url}  # fmt: skip
    found = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, bypass_csp=True)  # axe is injected inline
        context.add_cookies([cookie])
        page = context.new_page()
        for report in (interview, saved):
            page.goto(f"{live_server.url}/interview/{report.pk}/report/")
            page.wait_for_selector("[data-overall-score]")
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                found += [(scheme, width, report.pk, v) for v in axe_run(page)]
        context.close()
    assert not found, found
