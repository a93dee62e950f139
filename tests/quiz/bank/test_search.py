"""Bank search ranked by relevance with typo tolerance, on the database the suite runs on (SQLite FTS5 by default,
PostgreSQL full-text search and pg_trgm with DATABASE_URL): the same expectations on both."""

import pytest
from django.db import connection

from quiz.bank.models import Card, Topic
from quiz.bank.selectors import card_list
from quiz.bank.services.bank import bank_load

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def bank(django_db_setup, django_db_blocker):
    """The bundled bank, loaded once for the module (the loader's own tests cover loading)."""
    with django_db_blocker.unblock():
        bank_load()
    yield
    with django_db_blocker.unblock():
        Card.objects.all().delete()
        Topic.objects.all().delete()


def slugs(text: str, **filters) -> list[str]:
    return list(card_list(text=text, **filters).values_list("slug", flat=True))


def test_kv_cache_ranks_the_kv_cache_card_first(bank):
    found = slugs("kv cache")
    assert found[0] == "kv-cache-generation"
    assert len(found) >= 5  # the other KV-cache cards follow


def test_a_typo_still_finds_the_rope_card(bank):
    rope = Card.objects.get(question__startswith="What is Rotary Position Embedding").slug
    assert rope in slugs("rotery")[:3]
    assert rope in slugs("rotery position embeding")[:1]


def test_the_card_whose_question_is_the_query_comes_first(bank):
    card = Card.objects.get(slug="kv-cache-generation")
    other = Card.objects.filter(question__icontains="KV cache").exclude(pk=card.pk).first()
    assert slugs(other.question)[0] == other.slug
    assert slugs(other.question.rstrip("?").upper())[0] == other.slug


def test_filters_still_apply_and_nonsense_finds_nothing(bank):
    found = card_list(text="attention", topic="decoding")
    assert found.exists() and all(card.topic.slug == "decoding" for card in found)
    assert slugs("qwxzv") == []


def test_edits_reach_the_index(bank):
    card = Card.objects.get(slug="kv-cache-generation")
    card.question = "What is the zyzzyva store, and why is it crucial for fast autoregressive generation?"
    card.save()
    assert slugs("zyzzyva") == ["kv-cache-generation"]
    card.delete()
    assert slugs("zyzzyva") == []


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 index is SQLite's")
def test_sqlite_index_is_rebuilt_when_a_table_rebuild_dropped_its_triggers(bank):
    from quiz.bank.services.search import sqlite_index_ensure

    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER bank_card_fts_au")
    assert sqlite_index_ensure() is True
    assert sqlite_index_ensure() is False
    assert slugs("kv cache")[0] == "kv-cache-generation"
