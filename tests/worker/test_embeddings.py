"""MiniLM sentence embeddings: mean pooling over the mask, unit length."""

import numpy as np

from worker.embeddings import texts_embed

TEXTS = [
    "A hash table maps keys to values.",
    "Dictionaries store key-value pairs for fast lookup.",
    "The cat slept on the warm windowsill.",
]


def test_embeddings_have_unit_norm_one_row_per_text(encoder):
    vectors = texts_embed(TEXTS)
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_similar_sentences_are_closer_than_unrelated(encoder):
    a, b, c = texts_embed(TEXTS)
    assert a @ b > a @ c + 0.3
    assert a @ b > b @ c + 0.3


def test_batching_and_padding_do_not_change_the_vectors(encoder):
    together = texts_embed(TEXTS)
    one_by_one = texts_embed(TEXTS, batch_size=1)
    assert np.allclose(together, one_by_one, atol=1e-5)


def test_no_texts_gives_an_empty_matrix(encoder):
    assert texts_embed([]).shape == (0, 384)
