"""The Content-Security-Policy is one the pages meet: in a real Chromium, the main pages (logged in and not) load,
run their scripts (htmx, study and interview keys and timers) and report no violation."""

import pytest
from django.urls import reverse

from quiz.exams.services import interview as interview_svc
from tests.browser_helpers import htmx_settled
from tests.security.conftest import CSP_LISTENER, browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def violations_on(page, url: str) -> list[str]:
    console = []
    page.on(
        "console", lambda message: console.append(message.text) if "Content Security Policy" in message.text else None
    )
    page.goto(url)
    page.wait_for_load_state("load")
    if page.evaluate("() => !!window.htmx"):
        htmx_settled(page)
    return page.evaluate("window.__csp") + console


def test_the_main_pages_load_without_a_csp_violation(browser, live_server, user, bank_loaded):
    from quiz.bank.models import Card

    card = Card.objects.in_use().first()
    interview = interview_svc.interview_start(user=user, topics=[], questions=2, minutes=30)
    public = ["/", "/bank/", f"/bank/{card.slug}/", "/demos/", "/demos/attention/", "/accounts/login/",
              "/accounts/signup/", "/admin/login/", "/api/docs"]  # fmt: skip
    private = ["/study/", "/study/stats/", "/study/settings/", "/study/suspended/", "/quiz/", "/interview/",
               interview.get_absolute_url(), reverse("quiz:interview_history"), "/demos/runs/"]  # fmt: skip
    context = browser.new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    found = {url: v for url in public if (v := violations_on(page, live_server.url + url))}
    browser_login(context, user, live_server)
    found |= {url: v for url in private if (v := violations_on(page, live_server.url + url))}
    page.goto(live_server.url + "/study/")  # interactions that swap content in: reveal the answer, then rate it
    page.keyboard.press("Space")
    htmx_settled(page)
    if after_keys := page.evaluate("window.__csp"):
        found["/study/ (after keys)"] = after_keys
    context.close()
    assert not found, "\n".join(f"{url}: {v}" for url, v in found.items())


def test_the_interview_autosave_says_why_a_control_character_is_not_saved(browser, live_server, user, bank_loaded):
    interview = interview_svc.interview_start(user=user, topics=[], questions=2, minutes=30)
    context = browser.new_context()
    browser_login(context, user, live_server)
    page = context.new_page()
    page.goto(live_server.url + interview.get_absolute_url())
    page.fill("#answer-text", "pasted from a PDF \x0c page two")
    page.locator("#answer-text").blur()
    status = page.locator("[data-save-status]")
    status.filter(has_text="Not saved:").wait_for(timeout=10_000)
    assert "U+000C" in status.inner_text()
    assert page.locator("#answer-text").input_value() == "pasted from a PDF \x0c page two"  # nothing lost
    context.close()
