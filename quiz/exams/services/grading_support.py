"""The reference's support for an answer: how much more likely the card's reference answer makes the answer's words,
under the small causal LM (worker/reference_gain.py), mapped from tokens onto the grader's spans.

A correct answer restates what the reference says, so its words gain (about 1.5 nats per token, brief or full); a
confident misconception on the same subject reuses the card's terms but not its claims, and where it states the
opposite ("lowers" where the reference says "increases") the reference makes its words less likely (about 0.5 nats
per token over such answers). The grader uses the answer's mean gain as an agreement factor on the score.
"""

from collections.abc import Callable, Sequence

import numpy as np

from quiz.bank.models import Card
from quiz.bank.services.embeddings import markdown_plain
from quiz.exams.services.grading_text import Span, Word

GainsFn = Callable[..., list]  # (question=, reference=, answers=) -> list of worker.reference_gain.TokenGains


def reference_gains(*, question: str, reference: str, answers: Sequence[str]) -> list:
    """The configured LM, loaded once per process on first use (imported here: the web process never loads torch)."""
    from worker.reference_gain import answers_token_gains

    return answers_token_gains(question=question, reference=reference, answers=list(answers))


def card_reference(card: Card) -> str:
    """What the LM reads as the reference: the card's answer, then its key points."""
    points = " ".join(markdown_plain(str(p)) for p in card.key_points if str(p).strip())
    answer = markdown_plain(card.answer) or card.question
    return f"{answer}\nKey points: {points}" if points else answer


def spans_support(tokens, *, words: list[Word], spans: list[Span]) -> np.ndarray:
    """(S, 2): for each span, the mean and the least gain of the tokens that overlap its characters (0, 0 when
    none do)."""
    out = np.zeros((len(spans), 2), dtype=np.float32)
    if not len(tokens.gains):
        return out
    starts = np.array([s for s, _e in tokens.offsets])
    ends = np.array([e for _s, e in tokens.offsets])
    for k, span in enumerate(spans):
        first, last = words[span.first].start, words[span.last - 1].end
        inside = (ends > first) & (starts < last)
        if inside.any():
            out[k] = (tokens.gains[inside].mean(), tokens.gains[inside].min())
    return out
