"""A real Chromium studies three cards by keyboard only, undoes one, and screenshots the study and stats pages."""

import pytest

from quiz.study.models import StudyReview
from tests.browser_helpers import htmx_settled
from tests.quiz.study_helpers import cards_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def card_id(page) -> str:
    return page.get_attribute("#study-card", "data-card-id")


def test_study_three_cards_by_keyboard_undo_one_and_screenshot(live_server, page, user, password, screenshot):
    cards_make(6)
    page.goto(f"{live_server.url}/accounts/login/?next=/study/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("#study-card[data-card-id]")
    page.wait_for_load_state()  # study.js (deferred) listens for the keys
    page.locator("body").focus()

    seen = []
    for rating in ("3", "4", "1"):
        seen.append(card_id(page))
        assert page.is_hidden("#study-answer")
        page.keyboard.press("Space")
        assert page.is_visible("#study-answer") and page.is_visible("form.ratings")
        if rating == "4":
            screenshot(page, "study-answer")
        page.keyboard.press(rating)
        page.wait_for_function("id => document.querySelector('#study-card').dataset.cardId !== id", arg=seen[-1])
        htmx_settled(page)
    assert len(set(seen)) == 3
    assert StudyReview.objects.filter(user=user, undone_at__isnull=True).count() == 3

    page.keyboard.press("u")
    page.wait_for_selector("text=Undid your last answer (Again)")
    htmx_settled(page)
    assert card_id(page) == seen[-1]
    assert StudyReview.objects.filter(user=user, undone_at__isnull=True).count() == 2
    counters = page.inner_text(".counters")
    assert counters.split()[:3] == ["4", "1", "0"]  # 2 of 6 new answered: Good (learning), Easy (review, not due)

    page.keyboard.press("s")  # suspend, then U takes the suspend back (not the answer before it)
    page.wait_for_selector("text=Card suspended.")
    htmx_settled(page)
    assert card_id(page) != seen[-1]
    page.keyboard.press("u")
    page.wait_for_selector("text=Undid the suspend: the card is back.")
    htmx_settled(page)
    assert card_id(page) == seen[-1]
    assert StudyReview.objects.filter(user=user, undone_at__isnull=True).count() == 2
    screenshot(page, "study")

    page.set_viewport_size({"width": 390, "height": 844})
    page.keyboard.press("Space")
    screenshot(page, "study-phone")
    page.keyboard.press("2")
    page.wait_for_function("id => document.querySelector('#study-card').dataset.cardId !== id", arg=seen[-1])
    assert StudyReview.objects.filter(user=user, undone_at__isnull=True).count() == 3

    page.set_viewport_size({"width": 1200, "height": 900})
    page.goto(f"{live_server.url}/study/stats/")
    assert page.locator("svg.chart").count() == 6
    screenshot(page, "study-stats")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "study-stats-phone")
