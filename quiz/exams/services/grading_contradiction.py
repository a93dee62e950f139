"""Contradiction cues for the interview grader: does a span of the answer that matches a key point state its
opposite?

Two cues from the words, each confirmed by the encoder:
  * an antonym swap: the key point uses one side of a pair in grading_data/antonyms.yaml (divide, quadratic,
    LayerNorm, ...) and the span uses the other side without the first (multiply, constant, BatchNorm, ...);
  * a negation flip: the span and the key point differ in the parity of their negation cues (not, no, never, ...).
The encoder check compares the span with the key point and with a negated form of the key point (an antonym swapped
in, or a "not" inserted): the span contradicts only if it is at least about as close to the negated form.
"""

import re
from dataclasses import dataclass

from quiz.exams.services.grading_text import CLAUSE_BREAKS, NEGATIONS, antonym_pairs, stopwords, text_terms

_AUXILIARY = re.compile(
    r"\b(is|are|was|were|can|could|does|do|did|has|have|must|should|will|would|may|might)\b", re.IGNORECASE
)


@dataclass(frozen=True)
class Cue:
    kind: str  # "antonym" or "negation"
    said: str  # the term the answer used ("multiply"; "not")
    expected: str  # the key point's term ("divide"; "" for negation)


SCOPE = 3  # terms: a cue counts only this close to a term of the key point (it must be about the same thing)


def _neighbours(seq: list[str], index: int, reach: int = SCOPE) -> set[str]:
    """Up to `reach` content terms either side of seq[index] (function words skipped), in the same clause."""
    stop, out = stopwords(), set()
    for step in (-1, 1):
        i, found = index + step, 0
        while 0 <= i < len(seq) and found < reach and seq[i] not in CLAUSE_BREAKS:
            if seq[i] not in stop:
                out.add(seq[i])
                found += 1
            i += step
    return out


def _near(seq: list[str], index: int, wanted: set[str]) -> bool:
    return bool(_neighbours(seq, index) & wanted)


ANCHORED = {"before", "after"}  # "after the block" does not contradict "before the head": same anchor needed


def _anchor(seq: list[str], term: str) -> str | None:
    stop = stopwords()
    for i, t in enumerate(seq):
        if t == term:
            return next((u for u in seq[i + 1 : i + 4] if u not in stop and u not in CLAUSE_BREAKS), None)
    return None


def _same_anchor(point_seq: list[str], expected: str, span_terms: list[str], said: str) -> bool:
    anchor = _anchor(point_seq, expected)
    return anchor is not None and anchor == _anchor(span_terms, said)


def _following(seq: list[str], index: int) -> set[str]:
    """Up to SCOPE content terms after seq[index], stopping at a clause break or "and"/"or": what the sentence says
    about that term ("BatchNorm normalizes each feature across the batch")."""
    stop, out = stopwords(), set()
    for term in seq[index + 1 :]:
        if term in CLAUSE_BREAKS or term in ("and", "or") or len(out) == SCOPE:
            break
        if term not in stop:
            out.add(term)
    return out


def _swap_cue(a: str, b: str, *, point_seq: list[str], span_terms: list[str]) -> Cue | None:
    """The point relates both sides of a pair ("BatchNorm ... across the batch, while LayerNorm ... one token"); the
    answer gives one side what the point gives the other ("BatchNorm normalizes each token on its own")."""
    said_of = {t: set().union(*[_following(point_seq, i) for i, u in enumerate(point_seq) if u == t]) for t in (a, b)}
    own = {a: said_of[a] - said_of[b] - {a, b}, b: said_of[b] - said_of[a] - {a, b}}
    if not (own[a] and own[b]):  # the point must say something different about each side
        return None
    for said, other in ((a, b), (b, a)):
        for i, t in enumerate(span_terms):
            if t == said and not set(span_terms[i + 1 : i + 4]) & NEGATIONS:  # "LayerNorm does not depend on batch"
                after = _following(span_terms, i)
                if after & own[other] and not after & own[said] and other not in after:
                    return Cue("antonym", said, other)
    return None


def antonym_cue(
    *, point_terms: set[str], wanted: set[str], span_terms: list[str], context: set[str], point_seq: list[str]
) -> Cue | None:
    """The first antonym pair the span flips relative to the key point, next to a term of the point, if any.
    `context` is the span with a few words either side: the key point's own term there means no swap (a window may
    have cut "... decoder states as queries and encoder outputs as keys" in the middle)."""
    found = set(span_terms)
    for a, b in antonym_pairs():
        for expected, said in ((a, b), (b, a)):
            if expected in point_terms and said not in point_terms and said in found and expected not in context:
                if said in ANCHORED and not _same_anchor(point_seq, expected, span_terms, said):
                    continue
                others = wanted - {said, expected} - GENERIC
                if any(_near(span_terms, i, others) for i, term in enumerate(span_terms) if term == said):
                    return Cue("antonym", said, expected)
    for a, b in antonym_pairs():
        if a in point_terms and b in point_terms and (a in found or b in found):
            cue = _swap_cue(a, b, point_seq=point_seq, span_terms=span_terms)
            if cue:
                return cue
    return None


GENERIC = {"model", "use", "way", "thing", "new", "work"}  # too common to tie a cue to a key point
IMPLICIT_NEGATIVES = {
    "reduce", "prevent", "avoid", "hide", "hidden", "rare", "lack", "lose", "fail", "struggle", "lower", "stop", "block",
    "regardless", "ignore", "skip", "drop", "remove", "forbid", "vanish", "instead", "replace", "without", "unless",
    "impossible", "unable", "little", "rarely", "hardly", "poorly", "poor", "bad", "worse", "weak",
}  # fmt: skip
STRONG_NEGATIONS = {"not", "no", "never", "none", "nothing", "cannot", "non", "neither", "nor"}


BACKWARD = {
    "possible",
    "true",
    "need",
    "require",
    "use",
    "allow",
    "matter",
    "help",
    "work",
    "happen",
    "exist",
    "change",
    "necessary",
    "needed",
    "required",
    "used",
    "allowed",
}  # "X is not possible": X is negated


def _negated_terms(seq: list[str], *, cues: set[str] = NEGATIONS, reach: int = 2) -> set[str]:
    """Terms a negation cue bears on, within its clause: the next two content terms ("does not generate text",
    "no causal mask"); for "nothing"/"none", or a cue followed by a predicate such as "possible" or "needed", the
    content terms before it ("cross-attention ... is not possible", "batch_first changes nothing")."""
    stop, out = stopwords(), set()
    for i, term in enumerate(seq):
        if term not in cues or (term in ("instead", "rather") and seq[i + 1 : i + 2] not in (["of"], ["than"])):
            continue
        ahead = []
        backward = term in ("nothing", "none") and seq[i + 1 : i + 2] not in (["from"], ["of"], ["about"])
        reach_ahead = 0 if backward else 2 * SCOPE  # "changes nothing" bears on what precedes it
        for j in range(i + 1, min(len(seq), i + 1 + reach_ahead)):
            if seq[j] in CLAUSE_BREAKS or len(ahead) == reach or (ahead and seq[j] in ("and", "or")):
                break
            if seq[j] not in stop and seq[j] not in NEGATIONS:
                ahead.append(seq[j])
        out.update(ahead)
        if not ahead or backward or (reach > 1 and ahead[0] in BACKWARD):
            behind = []
            for j in range(i - 1, max(-1, i - 1 - 3 * SCOPE), -1):
                if seq[j] in CLAUSE_BREAKS or len(behind) == (2 * SCOPE if reach > 1 else 1):
                    break
                if seq[j] not in stop:
                    behind.append(seq[j])
            out.update(behind)
    return out


LOCAL = 3  # terms either side of a cue that must hold two of the point's terms (its clause, at most this far)


def _local(seq: list[str], index: int, reach: int = LOCAL) -> list[str]:
    """seq[index] with up to LOCAL terms either side, not crossing a clause break (punctuation, "but", "so", ...)."""
    first, last = index, index
    while first > 0 and index - first < reach and seq[first - 1] not in CLAUSE_BREAKS:
        first -= 1
    while last < len(seq) - 1 and last - index < reach and seq[last + 1] not in CLAUSE_BREAKS:
        last += 1
    return seq[first : last + 1]


def _negated_here(seq: list[str], index: int) -> bool:
    """A negation (or a negative word such as "little") among the 2*LOCAL terms before seq[index] or the 2 after
    ("the stream is never normalized"), in the same clause."""
    for step, reach in ((-1, 2 * LOCAL), (1, 2)):
        j = index + step
        while 0 <= j < len(seq) and abs(j - index) <= reach and seq[j] not in CLAUSE_BREAKS:
            if seq[j] in NEGATIONS or seq[j] in IMPLICIT_NEGATIVES:
                return True
            j += step
    return False


def negation_cue(
    *, point_terms: list[str], wanted: set[str], span_terms: list[str], inside: tuple[int, int] | None = None
) -> Cue | None:
    """Near a negation (or a term the key point negates), the span holds at least two of the point's terms, so it is
    about the same thing, and it negates what the point asserts, or plainly asserts what the point negates.
    `span_terms` may carry a few words of context either side; `inside` is then the span's own part: cues must lie
    there, but a negation just before the span's first word still counts."""
    lo, hi = inside or (0, len(span_terms))
    relevant = wanted - GENERIC
    heads = _negated_terms(point_terms, cues=STRONG_NEGATIONS, reach=1) & relevant
    for index in range(lo, hi):
        if span_terms[index] in heads and not _negated_here(span_terms, index):
            if len(set(_local(span_terms, index)) & relevant - {span_terms[index]}) >= 2:
                return Cue("negation", "", "not")
    # what the point itself negates, or marks as negative ("reduce loops"), may be negated in the answer too
    agreeing = _negated_terms(point_terms, reach=3) | _negated_terms(point_terms, cues=IMPLICIT_NEGATIVES, reach=3)
    stop = stopwords()
    for i, t in enumerate(point_terms):
        if t not in NEGATIONS:
            continue
        before = [u for u in point_terms[:i] if u not in stop and u not in CLAUSE_BREAKS]
        agreeing.update(before[-1:])  # the verb or subject just before: "add no X", "training cannot be"
        if not _following(point_terms, i):  # an ellipsis ("the stream itself never is", "the activation has none")
            agreeing.update(before)
    for index in range(lo, hi):
        if span_terms[index] in STRONG_NEGATIONS:
            local = _local(span_terms, index)
            negated = _negated_terms(local, cues=STRONG_NEGATIONS, reach=1) & relevant
            if len(set(local) & relevant) >= 2 and negated - agreeing:
                return Cue("negation", "not", "")
    return None


_SURFACE = {  # how a canonical term reads when it is swapped into a sentence
    "constant_cost": "constant", "layernorm": "LayerNorm", "batchnorm": "BatchNorm", "encoder_only": "encoder-only",
    "decoder_only": "decoder-only", "compute_bound": "compute-bound", "memory_bound": "memory-bound",
    "sequential": "sequential", "parallel": "parallel", "sqrt_dk": "sqrt(d_k)",
}  # fmt: skip


def surface(term: str) -> str:
    return _SURFACE.get(term, term.replace("_", " "))


def point_negations(point: str) -> dict[str, str]:
    """Negated forms of a key point for the encoder's contrastive check, by the cue they answer: for each antonym
    term in the point ("divide"), the point with that word swapped for its pair; under "" the point with "not" after
    its first auxiliary verb (or "It is false that ..."), used for negation cues and any other swap."""
    words, out = point.split(), {}
    for index, word in enumerate(words):
        word_terms = set(text_terms(word))
        for a, b in antonym_pairs():
            for have, other in ((a, b), (b, a)):
                if have in word_terms and have not in out:
                    out[have] = " ".join([*words[:index], surface(other), *words[index + 1 :]])
    match = _AUXILIARY.search(point)
    if match:
        out[""] = f"{point[: match.end()]} not{point[match.end() :]}"
    else:
        out[""] = f"It is false that {point[0].lower()}{point[1:]}"
    return out
