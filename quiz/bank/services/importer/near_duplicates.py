"""Near-duplicate questions, listed for review and never merged.

The similarity function is a parameter, so an embedding-based one can replace the default
(token Jaccard or difflib's ratio over word sequences, whichever is larger) without touching callers.
A similarity function may carry an `upper_bound(a, b)` attribute, a cheap score it never exceeds:
pairs whose bound is under the threshold are then skipped.
"""

from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from quiz.bank.services.fingerprint import question_normalize

Similarity = Callable[[str, str], float]


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(question_normalize(text).split())


def text_similarity(a: str, b: str) -> float:
    """0..1 lexical similarity of two questions after normalization."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    sa, sb = set(wa), set(wb)
    jaccard = len(sa & sb) / len(sa | sb)
    return max(jaccard, SequenceMatcher(None, wa, wb, autojunk=False).ratio())


@lru_cache(maxsize=4096)
def _bag(text: str) -> tuple[int, Counter, frozenset]:
    words = _words(text)
    return len(words), Counter(words), frozenset(words)


def _text_upper_bound(a: str, b: str) -> float:
    """Dice over word multisets and over word sets: never below Jaccard nor difflib's ratio."""
    (la, ca, sa), (lb, cb, sb) = _bag(a), _bag(b)
    if not la or not lb:
        return 0.0
    shared = sa & sb
    multiset = 2 * sum(min(ca[w], cb[w]) for w in shared) / (la + lb)
    return max(multiset, 2 * len(shared) / (len(sa) + len(sb)))


text_similarity.upper_bound = _text_upper_bound


@dataclass(frozen=True)
class NearDuplicate:
    first: int
    second: int
    score: float


def qa_near_duplicates(
    questions: Sequence[str],
    threshold: float = 0.8,
    *,
    similarity: Similarity = text_similarity,
    involving: Collection[int] | None = None,
) -> list[NearDuplicate]:
    """Pairs (by index, first < second) of different questions scoring >= threshold, best first.

    Questions that normalize to the same text are not near-duplicates (they share a fingerprint).
    With `involving`, only pairs where at least one index is in it are scored.
    """
    normalized = [" ".join(_words(q)) for q in questions]
    wanted = set(range(len(questions)) if involving is None else involving)
    bound = getattr(similarity, "upper_bound", None)
    pairs = []
    for i in range(len(questions)):
        for j in range(i + 1, len(questions)):
            if (i not in wanted and j not in wanted) or normalized[i] == normalized[j]:
                continue
            if bound is not None and bound(questions[i], questions[j]) < threshold:
                continue
            score = similarity(questions[i], questions[j])
            if score >= threshold:
                pairs.append(NearDuplicate(i, j, round(score, 3)))
    return sorted(pairs, key=lambda p: (-p.score, p.first, p.second))
