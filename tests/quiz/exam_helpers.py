"""Helpers for the quiz and interview tests: a fast stand-in encoder and small factories."""

import hashlib
import re

import numpy as np

from quiz.bank.models import Card, Topic

DIM = 256


def bow_embed(texts) -> np.ndarray:
    """A deterministic bag-of-words encoder (hashed, L2-normalized): same interface as the real one, no model.

    Texts sharing words are close, so it exercises the ranking logic without loading all-MiniLM-L6-v2."""
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[a-z0-9]+", text.lower()):
            out[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIM] += 1  # noqa: S324 - not security
        norm = np.linalg.norm(out[row])
        if norm:
            out[row] /= norm
    return out


class CountingEmbed:
    """bow_embed that remembers how many texts it was asked to embed."""

    def __init__(self):
        self.calls, self.texts = 0, 0

    def __call__(self, texts):
        self.calls += 1
        self.texts += len(texts)
        return bow_embed(texts)


def quiz_items_make(topic: str, i: int) -> dict:
    """Authored items in the bank's shape: an mcq with three distractors and their why lines, two statements."""
    return {
        "mcq": {"answer": f"Right {i}: {topic} mixes values {i}.",
                "distractors": [f"Wrong {i}.{d}: {topic} drops values {i}." for d in range(3)],
                "why": [f"Why wrong {i}.{d}: nothing is dropped." for d in range(3)]},
        "statements": [{"text": f"True {i}: {topic} is parallel.", "true": True, "why": f"Why true {i}."},
                       {"text": f"False {i}: {topic} is recurrent.", "true": False, "why": f"Why false {i}."}],
    }  # fmt: skip


def make_cards(count: int = 6, *, topic: str = "attention", difficulty: int = 2, items: bool = True) -> list[Card]:
    """Cards with authored quiz items (``items=False``: like imported cards, with none)."""
    topic_row, _ = Topic.objects.get_or_create(slug=topic, defaults={"name": topic.title()})
    return [
        Card.objects.create(
            slug=f"{topic}-{i}", topic=topic_row, difficulty=difficulty, question=f"Question {i} about {topic}?",
            answer=f"Answer {i}: {topic} works by mixing values number {i} with weights, then more words follow "
                   f"so that the option has to be cut somewhere around the limit of characters, clearly.",
            key_points=[f"{topic} mixes values {i}", f"weights number {i}", "it is parallel"],
            quiz_items=quiz_items_make(topic, i) if items else {},
        )
        for i in range(count)
    ]  # fmt: skip
