"""Keyboard only in a real Chromium: a focused control does what it names, whatever the study shortcuts are.

Tab to each rating button and press Space, then Enter: the stored review has the rating the button names. Space on
a focused Suspend suspends; Enter and Space on the Export menu and on Deeper dive open them and rate nothing; the
Export menu closes on Escape and when focus leaves it.
"""

import pytest

from quiz.bank.models import Card
from quiz.study.models import StudyCard, StudyReview
from tests.browser_helpers import htmx_settled
from tests.quiz.study_helpers import cards_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RATING_NAMES = {"1": "Again", "2": "Hard", "3": "Good", "4": "Easy"}
MAX_TABS = 40


def _log_in(page, live_server, user, password):
    page.goto(f"{live_server.url}/accounts/login/?next=/study/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector("#study-card[data-card-id]")
    page.wait_for_load_state()  # study.js (deferred) listens for the keys


def _tab_to(page, predicate: str) -> None:
    """Press Tab until the focused element matches ``predicate`` (a JS expression over ``el``)."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(f"(() => {{ const el = document.activeElement; return !!({predicate}); }})()"):
            return
    raise AssertionError(f"Tab never reached: {predicate}")


def _card_id(page) -> str:
    return page.get_attribute("#study-card", "data-card-id")


def _next_card(page, previous: str) -> None:
    page.wait_for_function("id => document.querySelector('#study-card').dataset.cardId !== id", arg=previous)
    htmx_settled(page)


def test_each_focused_rating_button_records_its_own_rating_by_space_and_by_enter(live_server, page, user, password):
    cards_make(10)
    Card.objects.update(details="A deeper look, in **more** words.")
    _log_in(page, live_server, user, password)

    for key in ("Space", "Enter"):
        for value, name in RATING_NAMES.items():
            before = _card_id(page)
            page.keyboard.press("Space")  # focus is on no control: the shortcut shows the answer
            assert page.is_visible("#study-answer")
            assert page.evaluate("document.activeElement.id") == "study-answer"
            _tab_to(page, f"el.matches('form.ratings button[data-key=\"{value}\"]')")
            assert name in page.evaluate("document.activeElement.textContent")
            page.keyboard.press(key)
            _next_card(page, before)
            review = StudyReview.objects.filter(user=user).latest("reviewed_at")
            assert (review.card_id, review.rating) == (int(before), int(value)), f"{key} on {name}"
    assert StudyReview.objects.filter(user=user).count() == 8


def test_space_on_suspend_suspends_and_menus_open_by_keyboard_without_rating(live_server, page, user, password):
    cards_make(4)
    Card.objects.update(details="A deeper look, in **more** words.")
    _log_in(page, live_server, user, password)

    # Export: a summary opens and closes with Enter and Space; nothing is shown or rated.
    _tab_to(page, "el.matches('.menu > summary')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('details.menu').open")
    page.keyboard.press("Space")
    assert not page.evaluate("document.querySelector('details.menu').open")
    page.keyboard.press("Space")
    assert page.evaluate("document.querySelector('details.menu').open")
    assert page.is_hidden("#study-answer")
    # It floats over the page: Escape closes it (focus back on its summary), and so does leaving it by Tab.
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    assert not page.evaluate("document.querySelector('details.menu').open")
    assert page.evaluate("document.activeElement.matches('.menu > summary')")
    page.keyboard.press("Enter")
    for _ in range(4):  # its three links, then out
        page.keyboard.press("Tab")
    assert not page.evaluate("document.querySelector('details.menu').open")

    # Deeper dive: Enter and Space open and close it; the card is not rated.
    page.evaluate("document.activeElement.blur()")  # focus back on no control: Space is the shortcut again
    page.keyboard.press("Space")
    assert page.is_visible("#study-answer")
    _tab_to(page, "el.matches('.deep-dive > summary')")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('details.deep-dive').open")
    page.keyboard.press("Space")
    assert not page.evaluate("document.querySelector('details.deep-dive').open")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('details.deep-dive').open")
    assert not StudyReview.objects.filter(user=user).exists()

    # Suspend: Space on the focused button suspends this card and records no review.
    card = _card_id(page)
    _tab_to(page, "el.matches('button[data-key=\"s\"]')")
    page.keyboard.press("Space")
    page.wait_for_selector("text=Card suspended.")
    htmx_settled(page)
    assert StudyCard.objects.get(user=user, card_id=card).suspended
    assert not StudyReview.objects.filter(user=user).exists()

    # Enter on the focused Undo takes the suspend back.
    _tab_to(page, "el.matches('button[data-key=\"u\"]')")
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Undid the suspend: the card is back.")
    assert not StudyCard.objects.get(user=user, card_id=card).suspended
