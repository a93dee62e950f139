"""A person browsing the bank in a real Chromium: search, open a card, read the math."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_search_the_bank_and_open_a_card(live_server, page, screenshot):
    from quiz.bank.services.bank import bank_load

    bank_load()
    page.goto(f"{live_server.url}/bank/")
    page.get_by_label("Search").fill("softmax")
    page.wait_for_url("**q=softmax**")
    results = page.locator("#results .card-list li a")
    assert results.count() > 0
    screenshot(page, "bank_search")

    results.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_selector("article.card-page h1")
    assert page.locator(".answer").inner_text().strip()
    assert page.locator(".key-points li").count() >= 3
    screenshot(page, "bank_card")


def test_bank_is_readable_on_a_phone(live_server, browser, screenshot):
    from quiz.bank.services.bank import bank_load

    bank_load()
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/bank/?q=attention")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the bank page scrolls sideways on a phone"
    screenshot(phone, "bank_phone")
    context.close()


def test_related_cards_lead_from_card_to_card(live_server, page, screenshot):
    from quiz.bank.models import Card
    from quiz.bank.services.bank import bank_load
    from tests.quiz.bank_helpers import vectors_store_by_topic

    bank_load()
    vectors_store_by_topic()
    card = Card.objects.in_use().exclude(answer="").select_related("topic").first()
    page.goto(f"{live_server.url}{card.get_absolute_url()}")
    related = page.get_by_role("complementary", name="Related cards")
    links = related.get_by_role("link")
    assert links.count() == 5
    assert related.locator(".chip").all_inner_texts() == [card.topic.name] * 5  # made-up vectors: one per topic
    screenshot(page, "bank_card_related")

    first = links.first.get_attribute("href")
    links.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{first}")
    assert page.get_by_role("complementary", name="Related cards").get_by_role("link").count() == 5
