"""A learner writes code in the real editor in Chromium, keyboard only: Tab indents, Ctrl-Enter runs on the real
worker, the results show each test; the page fits a 390 px phone screen."""

import pytest
from django.conf import settings as django_settings

from quiz.exercises.models import Exercise, ExerciseDraft
from tests.exercises.conftest import needs_bwrap

pytestmark = [pytest.mark.browser, pytest.mark.worker, needs_bwrap]
PHONE = {"width": 390, "height": 844}


def test_type_in_the_editor_and_run_with_ctrl_enter(page, live_server, demo_worker, user, client, settings,
                                                    screenshot):  # fmt: skip
    from quiz.bank.services.bank import bank_load
    from quiz.exercises.services import exercises_load

    bank_load()
    exercises_load()
    exercise = Exercise.objects.get(slug="causal-mask")
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{exercise.get_absolute_url()}")

    editor = page.locator(".cm-content")
    editor.wait_for()
    assert page.locator("textarea#code").is_hidden()  # the editor replaced the plain textarea
    assert page.locator(".cm-line .tok-keyword, .cm-line span[class]").count() > 0  # Python highlighting
    editor.focus()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # indents instead of leaving the editor
    assert page.evaluate("document.activeElement.classList.contains('cm-content')")
    page.keyboard.press("Control+a")
    page.keyboard.insert_text(exercise.solution)  # what typing produces, without the editor's auto-indent
    page.keyboard.press("Control+Enter")

    results = page.locator("#results-body [data-status='done']")
    results.wait_for(timeout=120_000)
    assert results.get_attribute("data-verdict") == "passed"
    assert "3 of 3 tests passed" in page.locator("#results-body").inner_text()
    assert ExerciseDraft.objects.get(user=user, exercise=exercise).code.strip() == exercise.solution.strip()
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(
        e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map(
        e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    assert overflow <= 0, f"the page scrolls sideways by {overflow} px at 390 px: {wide}"
    screenshot(page, "exercise-editor-phone")

    page.keyboard.press("Control+a")
    page.keyboard.insert_text("import torch\n\ndef causal_mask(n):\n    return torch.ones(n, n, dtype=torch.bool)\n")
    page.keyboard.press("Control+Enter")
    page.locator("#results-body [data-verdict='failed']").wait_for(timeout=60_000)
    text = page.locator("#results-body").inner_text()
    assert "Input" in text and "Expected" in text and "Got" in text
    screenshot(page, "exercise-editor-failed")
