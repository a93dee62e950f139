"""A learner's pages in a real Chromium at phone width (390 px): the home page's next step, grade buttons fixed at
the bottom once the answer shows, chart text at 11 px or more, the heatmap's scroll hint, the deck picker's names,
the browser's time zone offered and saved, and a math font that stretches brackets."""

import uuid

import pytest
from django.conf import settings as django_settings
from fsrs import Rating

from quiz.bank.models import Card
from quiz.study.models import StudySettings
from quiz.study.services.study import card_review
from tests.browser_helpers import htmx_settled
from tests.quiz.study_helpers import cards_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser, live_server, client, user):
    """A logged-in phone-sized page whose browser says it is in New York."""
    client.force_login(user)
    context = browser.new_context(viewport=PHONE, timezone_id="America/New_York")
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.console_errors = errors
    yield page
    context.close()


def test_home_study_and_stats_on_a_phone(phone, live_server, user, screenshot):
    cards = cards_make(6)
    Card.objects.filter(pk=cards[1].pk).update(
        question="Why does `softmax` need a max subtraction?",
        answer="\n\n".join(f"Paragraph {i}: a long answer that pushes the buttons below the fold." for i in range(12))
        + "\n\n$$\\begin{pmatrix} a & b \\\\ c & d \\end{pmatrix}$$",
    )  # fmt: skip
    card_review(user=user, card_id=cards[0].pk, rating=Rating.Again, review_id=uuid.uuid4())
    page, url = phone, live_server.url

    page.goto(f"{url}/")
    button = page.locator(".next-step .button")
    assert button.inner_text() == "Continue studying" and button.is_visible()
    assert button.bounding_box()["y"] + button.bounding_box()["height"] < PHONE["height"]  # above the fold
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "learner-home-phone")

    # The browser's zone differs from the saved one (UTC): offered, and saved with one tap.
    offer = page.locator("[data-tz-offer]")
    assert offer.is_visible() and "America/New_York" in offer.inner_text()
    offer.get_by_role("button").click()
    page.wait_for_selector("text=Study days now follow America/New_York.")
    assert StudySettings.objects.get(user=user).time_zone == "America/New_York"
    assert not page.locator("[data-tz-offer]").is_visible()

    page.goto(f"{url}/study/?topic=topic-1&topic=topic-0")
    assert page.locator(".deck-picker summary").inner_text() == "Deck: Topic 0 · Topic 1"
    page.goto(f"{url}/study/?card={cards[1].pk}")
    page.wait_for_load_state()
    assert page.locator(".study-question code").inner_text() == "softmax"  # backticks rendered as code
    page.locator("#show-answer").click()
    page.locator("form.ratings:not([hidden])").wait_for()
    htmx_settled(page)
    box = page.locator("form.ratings").bounding_box()
    assert abs(box["y"] + box["height"] - PHONE["height"]) <= 2  # fixed to the bottom of the screen
    assert page.locator("button.rate-3").is_visible()
    font = page.evaluate("getComputedStyle(document.querySelector('math')).fontFamily")
    assert font.startswith('"Deck Math"')
    screenshot(page, "learner-study-answer-phone")
    page.locator("button.rate-3").click()
    htmx_settled(page)

    page.goto(f"{url}/study/stats/")
    assert page.locator(".scroll-hint").is_visible()
    sizes = page.evaluate("""() => [...document.querySelectorAll('svg.chart')].filter(s => s.getBoundingClientRect().width)
        .flatMap(svg => {
          const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          return [...svg.querySelectorAll('text')].map(t => parseFloat(getComputedStyle(t).fontSize) * scale);
        })""")  # fmt: skip
    assert sizes and min(sizes) >= 10.9
    labels = page.locator("svg.chart text.c-name").evaluate_all("texts => texts.map(t => t.textContent)")
    assert labels and all(len(label) <= 24 for label in labels)
    # No label runs into its bar: each name ends left of where the bars start
    overlap = page.evaluate("""() => [...document.querySelectorAll('svg.chart g')].filter(g => g.querySelector('.c-name'))
        .some(g => g.querySelector('.c-name').getBoundingClientRect().right > g.querySelector('.c-track').getBoundingClientRect().left)""")
    assert not overlap
    screenshot(page, "learner-stats-phone")
    assert page.console_errors == []
