"""Sentence embeddings of the bank: computed once per card answer, stored, recomputed only when the text changes.

The encoder (all-MiniLM-L6-v2, L2-normalized) is ``worker.embeddings.texts_embed``; importing it loads torch, so it is
imported only when something actually has to be embedded. Card pages read the stored vectors (related cards,
quiz.bank.services.related); quizzes use none (their options are authored on each card); grading embeds the
candidate's answer on the worker.
"""

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence

import numpy as np
from django.conf import settings
from django.db.models import QuerySet

from quiz.bank.models import Card, CardEmbedding
from quizsite.queueing import enqueue_on_commit

EMBED_TASK = "bank.embed"  # the task's registered name (quiz/bank/tasks.py), on the cpu queue
Embedder = Callable[[Sequence[str]], np.ndarray]  # texts -> (N, D) float32, rows L2-normalized
EMBED_BATCH = 64

_MARKUP = re.compile(r"\*\*|__|`|\$\$?|\\(?=[a-zA-Z])")
_SPACES = re.compile(r"\s+")


def texts_embed(texts: Sequence[str]) -> np.ndarray:
    """The configured encoder, loaded once per process on first use (about a second on CPU)."""
    from worker.embeddings import texts_embed as encode

    return np.asarray(encode(list(texts)), dtype=np.float32)


def encoder_name() -> str:
    return settings.DEMO_ENCODER


def markdown_plain(text: str) -> str:
    """Markdown and inline LaTeX reduced to the words an encoder should see."""
    return _SPACES.sub(" ", _MARKUP.sub("", text or "")).strip()


def card_embed_text(card: Card) -> str:
    return markdown_plain(card.answer)


def text_hash(text: str, *, model_name: str) -> str:
    return hashlib.sha256(f"{model_name}\n{text}".encode()).hexdigest()


def vector_pack(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def vector_unpack(data: bytes | memoryview) -> np.ndarray:
    return np.frombuffer(bytes(data), dtype="<f4")


def cards_embed(texts: Sequence[str], *, embed: Embedder | None = None) -> np.ndarray:
    embed = embed or texts_embed
    chunks = [embed(texts[i : i + EMBED_BATCH]) for i in range(0, len(texts), EMBED_BATCH)]
    return np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)


def card_embeddings_ensure(*, cards: Iterable[Card] | None = None, embed: Embedder | None = None) -> int:
    """Embed every card (or those given) whose stored vector is missing or was made from other text or another
    model. Returns how many were (re)computed; 0 means nothing was loaded or run."""
    model_name = encoder_name()
    cards = list(Card.objects.in_use() if cards is None else cards)
    stored = {
        row.card_id: row
        for row in CardEmbedding.objects.filter(card__in=cards, model_name=model_name).only("card_id", "text_hash")
    }
    todo = []
    for card in cards:
        text = card_embed_text(card)
        digest = text_hash(text, model_name=model_name)
        row = stored.get(card.pk)
        if row is None or row.text_hash != digest:
            todo.append((card, text, digest))
    if not todo:
        return 0
    vectors = cards_embed([text for _, text, _ in todo], embed=embed)  # before any write: seconds
    # One upsert statement: the rows' locks are held for milliseconds, not for a loop of queries
    rows = [
        CardEmbedding(card=card, model_name=model_name, text_hash=digest, dim=vector.shape[0],
                      vector=vector_pack(vector))
        for (card, _text, digest), vector in zip(todo, vectors, strict=True)
    ]  # fmt: skip
    CardEmbedding.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["card", "model_name"], update_fields=["text_hash", "dim", "vector"]
    )
    return len(todo)


def card_vectors(*, card_ids: Iterable[int] | QuerySet | None = None) -> dict[int, np.ndarray]:
    """Stored answer vectors of the configured encoder, by card id (cards without one are absent).
    ``card_ids`` may be a ``values("pk")`` queryset: it stays a subquery, one query in all."""
    rows = CardEmbedding.objects.filter(model_name=encoder_name())
    if card_ids is not None:
        rows = rows.filter(card_id__in=card_ids if isinstance(card_ids, QuerySet) else list(card_ids))
    return {card_id: vector_unpack(data) for card_id, data in rows.values_list("card_id", "vector")}


def cards_missing_vectors() -> int:
    """How many cards in use have no stored vector of the configured encoder (changed texts are not counted)."""
    return Card.objects.in_use().exclude(embeddings__model_name=encoder_name()).count()


def bank_embed_enqueue() -> bool:
    """Ask the cpu worker to embed what is missing or changed (idempotent: a second request finds nothing to do).
    A broker that is away is only logged: the periodic sweep asks again (quizsite/capacity.py)."""
    enqueue_on_commit(EMBED_TASK)
    return True
