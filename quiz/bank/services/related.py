"""Cards related by meaning: the nearest stored answer vectors (quiz.bank.services.embeddings), with numpy only.

The web process never loads the encoder: a card whose vector is not stored yet simply has no related cards until
the cpu worker has embedded it (``bank.embed``, queued after every load and import)."""

import numpy as np

from quiz.bank.models import Card
from quiz.bank.services.embeddings import card_vectors


def related_cards(card: Card, *, limit: int = 5) -> list[Card]:
    """The ``limit`` cards in use whose answers are nearest this card's by cosine, nearest first (ties by id).
    Empty while this card has no stored vector."""
    candidates = Card.objects.in_use().exclude(answer="")  # an empty answer's vector says nothing about the card
    vectors = card_vectors(card_ids=candidates.values("pk"))
    own = vectors.pop(card.pk, None)
    if own is None or not vectors:
        return []
    ids = np.fromiter(vectors, dtype=np.int64, count=len(vectors))
    cosines = np.stack(list(vectors.values())) @ own  # the stored vectors are unit length
    nearest = [int(ids[i]) for i in np.lexsort((ids, -cosines))[:limit]]
    by_id = candidates.select_related("topic").in_bulk(nearest)
    return [by_id[pk] for pk in nearest if pk in by_id]  # a card retired since the first query is left out
