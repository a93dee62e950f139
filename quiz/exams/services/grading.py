"""Grade a free-text interview answer against a card's reference answer and key points.

Two signals from all-MiniLM-L6-v2 sentence embeddings (cosine similarity of L2-normalized vectors):
  * similarity: the whole answer against the whole reference answer;
  * coverage: for each key point, its best match among the answer's sentences; a key point counts as covered at or
    above KEY_POINT_COVERED.
Both are mapped linearly onto 0..1 between a floor (what an unrelated answer on the same subject reaches) and a
ceiling (what a full answer reaches), and combined into 0..100.

Pure given the embedder: ``answers_grade`` embeds every text it needs in one batch, so grading a whole interview
(or the labelled calibration set) is one encoder call. Constants were calibrated on tests/quiz/exams/data/grading_labels.yaml.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from quiz.bank.models import Card
from quiz.bank.services.embeddings import Embedder, markdown_plain, texts_embed

# Calibrated constants (tests/quiz/test_grading.py reports the agreement they give).
# Chosen by a grid search on the labelled set (35 of 37 triples ordered, 94.6%); nearby values give 84-97% (median
# 92%), and half-split cross-validation of the search (tune on half the cards, score the other half) averaged 91%.
# Key-point coverage is the stronger signal: whole-answer similarity rewards on-topic vocabulary, right or wrong.
SIMILARITY_FLOOR = 0.50  # whole-answer cosine at or below which the similarity part is 0 (topical but wrong)
SIMILARITY_CEIL = 0.90  # at or above which it is full
KEY_POINT_FLOOR = 0.50  # best sentence-to-key-point cosine at or below which a point earns nothing
KEY_POINT_CEIL = 0.80
KEY_POINT_COVERED = 0.60  # a point is reported as covered at or above this
SIMILARITY_WEIGHT = 0.2  # the rest is key-point coverage, the better signal on the labelled set
MAX_ANSWER_CHARS = 4000  # longer answers are cut (the page says so); the encoder reads 256 tokens per text anyway
MAX_SENTENCES = 40

MESSAGE_EMPTY = "No answer was given, so it scores 0."
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+|\n+")


@dataclass
class Grade:
    score: int  # 0..100
    similarity: float  # cosine, whole answer vs reference
    coverage: float  # 0..1, share of key points covered
    covered: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    explanation: str = ""


def _ramp(value: np.ndarray | float, floor: float, ceil: float):
    return np.clip((np.asarray(value) - floor) / (ceil - floor), 0.0, 1.0)


def answer_sentences(text: str) -> list[str]:
    """Sentences (and clauses ended by a semicolon) of an answer, at most MAX_SENTENCES."""
    return [piece.strip() for piece in _SENTENCE_END.split(text) if len(piece.strip()) > 2][:MAX_SENTENCES]


def _explain(score: int, similarity: float, covered: list[str], missed: list[str]) -> str:
    total = len(covered) + len(missed)
    if total:
        points = f"It states {len(covered)} of the {total} key points"
    else:
        points = "The card has no key points"
    closeness = "close to" if similarity >= 0.75 else "partly like" if similarity >= 0.55 else "far from"
    return f"Score {score}/100. {points}, and as a whole it reads {closeness} the reference answer."


def _empty(card: Card) -> Grade:
    return Grade(score=0, similarity=0.0, coverage=0.0, missed=list(card.key_points), explanation=MESSAGE_EMPTY)


def answers_grade(items: Sequence[tuple[str, Card]], *, embed: Embedder | None = None) -> list[Grade]:
    """Grade (answer text, card) pairs with one call to the encoder."""
    embed = embed or texts_embed
    texts: dict[str, int] = {}

    def slot(text: str) -> int:
        return texts.setdefault(text, len(texts))

    plans = []
    for answer, card in items:
        answer = (answer or "")[:MAX_ANSWER_CHARS].strip()
        if not answer:
            plans.append(None)
            continue
        sentences = answer_sentences(answer) or [answer]
        plans.append({
            "answer": slot(answer),
            "reference": slot(markdown_plain(card.answer) or card.question),
            "points": [slot(markdown_plain(point)) for point in card.key_points],
            "sentences": [slot(sentence) for sentence in sentences],
        })  # fmt: skip
    vectors = embed(list(texts)) if texts else np.zeros((0, 0), dtype=np.float32)  # (T, D)

    grades = []
    for (_answer, card), plan in zip(items, plans, strict=True):
        if plan is None:
            grades.append(_empty(card))
            continue
        similarity = float(vectors[plan["answer"]] @ vectors[plan["reference"]])
        if plan["points"]:
            best = (vectors[plan["points"]] @ vectors[plan["sentences"]].T).max(axis=1)  # (P,)
            coverage_soft = float(_ramp(best, KEY_POINT_FLOOR, KEY_POINT_CEIL).mean())
            is_covered = best >= KEY_POINT_COVERED
        else:
            coverage_soft, is_covered = float(_ramp(similarity, SIMILARITY_FLOOR, SIMILARITY_CEIL)), []
        combined = SIMILARITY_WEIGHT * float(_ramp(similarity, SIMILARITY_FLOOR, SIMILARITY_CEIL))
        combined += (1 - SIMILARITY_WEIGHT) * coverage_soft
        score = int(round(100 * combined))
        covered = [point for point, hit in zip(card.key_points, is_covered, strict=True) if hit]
        missed = [point for point, hit in zip(card.key_points, is_covered, strict=True) if not hit]
        grades.append(Grade(
            score=score, similarity=round(similarity, 4),
            coverage=round(len(covered) / len(card.key_points), 4) if card.key_points else 0.0,
            covered=covered, missed=missed, explanation=_explain(score, similarity, covered, missed),
        ))  # fmt: skip
    return grades


def answer_grade(answer_text: str, card: Card, *, embed: Embedder | None = None) -> Grade:
    """Score 0..100 with the key points covered and missed and a one-line explanation; empty answers score 0."""
    return answers_grade([(answer_text, card)], embed=embed)[0]
