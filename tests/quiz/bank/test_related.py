"""Related cards: the cards in use nearest a card by its stored answer vector, listed on the card page."""

import math

import numpy as np
import pytest

from quiz.bank.models import Card, CardEmbedding, Topic
from quiz.bank.services.embeddings import encoder_name, vector_pack
from quiz.bank.services.related import related_cards

pytestmark = pytest.mark.django_db

FALLBACK = "Related cards appear once the bank's embeddings are computed."


def vector_store(card: Card, degrees: float, *, model_name: str | None = None):
    """A unit vector in a plane at ``degrees`` from the first axis: the cosine between two cards is known."""
    angle = math.radians(degrees)
    vector = np.array([math.cos(angle), math.sin(angle), 0.0], dtype=np.float32)
    CardEmbedding.objects.create(card=card, model_name=model_name or encoder_name(), text_hash="h" * 64,
                                 dim=3, vector=vector_pack(vector))  # fmt: skip


def card_make(slug: str, topic: Topic, **extra) -> Card:
    fields = {"question": f"What is {slug}?", "answer": f"The answer about {slug}.", **extra}
    return Card.objects.create(slug=slug, topic=topic, **fields)


def related_section(client, card: Card) -> str:
    html = client.get(card.get_absolute_url()).content.decode()
    start = html.index('<aside class="related"')
    return html[start : html.index("</aside>", start)]


@pytest.fixture
def topics():
    return Topic.objects.create(slug="attention", name="Attention"), Topic.objects.create(slug="norm", name="Norms")


@pytest.fixture
def bank(topics):
    """A card at 0°, six neighbours at known angles, and three nearer cards that must never be suggested."""
    attention, norm = topics
    cards = {"self": card_make("self", attention)}
    for slug, degrees, topic in [("d10", 10, norm), ("d20", 20, attention), ("d35", 35, norm), ("d50", 50, attention),
                                 ("d70", 70, norm), ("d90", 90, attention)]:  # fmt: skip
        cards[slug] = card_make(slug, topic)
        vector_store(cards[slug], degrees)
    vector_store(cards["self"], 0)
    cards["retired"] = card_make("retired", attention, retired_into=cards["d90"])
    vector_store(cards["retired"], 1)
    cards["unanswered"] = card_make("unanswered", attention, answer="")
    vector_store(cards["unanswered"], 2)
    cards["other-model"] = card_make("other-model", attention)
    vector_store(cards["other-model"], 3, model_name="another-encoder")
    return cards


def test_nearest_cards_first_without_itself_retired_or_unanswered_cards(bank, django_assert_num_queries):
    with django_assert_num_queries(2):  # the vectors, then the cards with their topics
        related = related_cards(bank["self"])
    assert [card.slug for card in related] == ["d10", "d20", "d35", "d50", "d70"]
    assert related[0].topic.name == "Norms"


def test_limit_and_the_view_from_another_card(bank):
    assert [card.slug for card in related_cards(bank["self"], limit=2)] == ["d10", "d20"]
    assert [card.slug for card in related_cards(bank["d50"], limit=3)] == ["d35", "d70", "d20"]


def test_no_related_cards_without_a_stored_vector(bank, topics):
    assert related_cards(card_make("fresh", topics[0])) == []  # imported, not embedded yet
    assert related_cards(bank["unanswered"]) == []
    CardEmbedding.objects.exclude(card=bank["self"]).delete()
    assert related_cards(bank["self"]) == []  # the only vector in the bank


def test_card_page_links_its_related_cards_with_their_topics(client, bank):
    section = related_section(client, bank["self"])
    assert '<h2 id="related-h">Related cards</h2>' in section
    for slug in ["d10", "d20", "d35", "d50", "d70"]:
        assert f'href="{bank[slug].get_absolute_url()}"' in section
    assert f'href="{bank["d90"].get_absolute_url()}"' not in section and "retired" not in section
    assert section.count('<span class="chip small">Norms</span>') == 3 and FALLBACK not in section


def test_card_page_says_when_related_cards_are_not_computed_yet(client, topics):
    card = card_make("fresh", topics[0])
    card_make("another", topics[0])
    section = related_section(client, card)
    assert FALLBACK in section and "<li>" not in section


def test_card_awaiting_an_answer_says_it_needs_one_first(client, bank):
    section = related_section(client, bank["unanswered"])
    assert "Related cards appear once this card has an answer." in section and FALLBACK not in section
