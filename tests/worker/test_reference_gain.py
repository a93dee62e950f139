"""The reference's support for an answer (worker/reference_gain.py) on the real demo LM."""

import numpy as np

from worker.reference_gain import answers_token_gains

QUESTION = "What does NTK-aware scaling do to extend a RoPE model's context?"
REFERENCE = (
    "NTK-aware scaling increases the RoPE base instead of dividing every position, so high-frequency dimensions stay "
    "almost unchanged while low-frequency ones are stretched."
)


def test_a_restatement_gains_more_per_token_than_a_claim_the_reference_does_not_make(lm):
    right = "It increases the RoPE base, so the high-frequency dimensions barely change and the slow ones stretch."
    wrong = "It lowers the RoPE base so every dimension rotates faster, and it needs full retraining of the model."
    gains = answers_token_gains(question=QUESTION, reference=REFERENCE, answers=[right, wrong])
    assert gains[0].gains.mean() > gains[1].gains.mean() + 0.3


def test_offsets_map_each_token_back_to_the_answer_text_and_an_empty_answer_gets_none(lm):
    answer = "It increases the base (theta) of RoPE."
    empty, gains = answers_token_gains(question=QUESTION, reference=REFERENCE, answers=["", answer])
    assert len(empty.gains) == 0 and empty.offsets == []
    assert len(gains.gains) == len(gains.offsets) and np.isfinite(gains.gains).all()
    rebuilt = "".join(answer[start:end] for start, end in gains.offsets)
    assert rebuilt.replace(" ", "") == answer.replace(" ", "")
