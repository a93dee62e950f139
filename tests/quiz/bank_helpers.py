"""Bank test helpers."""

import numpy as np

from quiz.bank.models import Card, CardEmbedding
from quiz.bank.services.embeddings import encoder_name, vector_pack


def vectors_store_by_topic() -> None:
    """Stored answer vectors for every card, as the cpu worker leaves them but made up (no encoder needed): one
    direction per topic plus a little noise, so a card's nearest cards are cards of its own topic."""
    rows = list(Card.objects.values_list("pk", "topic_id"))
    axes = {topic_id: axis for axis, topic_id in enumerate(sorted({topic_id for _, topic_id in rows}))}
    vectors = np.random.default_rng(0).normal(scale=0.05, size=(len(rows), len(axes))).astype(np.float32)
    for vector, (_, topic_id) in zip(vectors, rows, strict=True):
        vector[axes[topic_id]] += 1
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    CardEmbedding.objects.bulk_create(
        CardEmbedding(card_id=pk, model_name=encoder_name(), text_hash="0" * 64, dim=len(axes), vector=vector_pack(v))
        for v, (pk, _) in zip(vectors, rows, strict=True)
    )
