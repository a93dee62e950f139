"""WCAG 2.4.11 in a real Chromium: on a phone, Shift+Tab to a control that sits just under the sticky timer bar
brings it out from under the bar (the page keeps room for the bar when it scrolls a control into view)."""

import random

import pytest
from django.conf import settings

from quiz.exams.services.interview import interview_start
from tests.quiz.exam_helpers import make_cards

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 600}
CONTROLS = "main a[href], main button, main textarea, main select, main input:not([type=hidden])"
# Scroll so that control i sits 4 px below the top of the window (under the bar), focus control i + 1 without
# scrolling: Shift+Tab then moves focus to control i, as a keyboard user going back up the page would.
PLACE = """([selector, i]) => {
  const bar = document.querySelector('.interview-bar');
  const controls = [...document.querySelectorAll(selector)].filter(c => !bar.contains(c) && c.offsetParent);
  if (i + 1 >= controls.length) return null;
  window.scrollTo(0, controls[i].getBoundingClientRect().top + window.scrollY - 4);
  controls[i + 1].focus({preventScroll: true});
  return controls.length;
}"""
COVERED = """() => {
  const box = document.activeElement.getBoundingClientRect();
  const bar = document.querySelector('.interview-bar').getBoundingClientRect();
  return {tag: document.activeElement.outerHTML.slice(0, 80), covered: box.top < bar.bottom - 1};
}"""


def test_shift_tab_to_a_control_under_the_sticky_bar_scrolls_it_clear(page, live_server, user, client):
    make_cards(6)
    interview = interview_start(user=user, topics=[], questions=6, minutes=10, rng=random.Random(3))
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{interview.get_absolute_url()}")
    page.wait_for_load_state()

    checked = 0
    for i in range(40):
        if page.evaluate(PLACE, [CONTROLS, i]) is None:
            break
        if page.evaluate("window.scrollY") == 0:
            continue  # near the top the bar is not stuck yet: nothing can hide under it
        page.keyboard.press("Shift+Tab")
        page.wait_for_timeout(30)
        state = page.evaluate(COVERED)
        checked += 1
        assert not state["covered"], f"focus hidden under the sticky bar: {state['tag']}"
    assert checked >= 5
