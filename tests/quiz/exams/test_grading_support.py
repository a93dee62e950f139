"""Mapping the LM's per-token gains onto the grader's spans (no model: gains are given)."""

import numpy as np

from quiz.bank.models import Card
from quiz.exams.services.grading_support import card_reference, spans_support
from quiz.exams.services.grading_text import Span, answer_words
from worker.reference_gain import TokenGains


def test_each_span_gets_the_mean_and_least_gain_of_the_tokens_inside_it():
    text = "heads split width evenly"
    words = answer_words(text)
    # one token per word, then the last word in two tokens
    tokens = TokenGains(np.array([1.0, 2.0, -1.0, 0.5, 1.5], dtype=np.float32),
                        [(0, 5), (6, 11), (12, 17), (18, 21), (21, 24)])  # fmt: skip
    support = spans_support(tokens, words=words, spans=[Span(0, 2, "window"), Span(2, 4, "window")])
    assert np.allclose(support[0], [1.5, 1.0]) and np.allclose(support[1], [1 / 3, -1.0])


def test_no_tokens_give_no_support_and_the_reference_reads_answer_then_key_points():
    words = answer_words("anything")
    empty = TokenGains(np.zeros(0, dtype=np.float32), [])
    assert (spans_support(empty, words=words, spans=[Span(0, 1, "window")]) == 0).all()
    card = Card(question="Q?", answer="The **answer**.", key_points=["one", "two"])
    assert card_reference(card) == "The answer.\nKey points: one two"
