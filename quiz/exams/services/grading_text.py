"""Text side of the interview grader: words with their places in the answer, lemmas, domain terms, and the spans
(overlapping word windows and clauses) that key points are compared against.

Everything here ignores punctuation where it could change a verdict: windows are cut from the word sequence alone,
so an answer scores the same with or without commas and full stops; clauses are extra spans where punctuation or
an enumeration marks them. Formulas and symbols are rewritten to words first ("sqrt(d_k)", "√d_k" and "square root
of d_k" are one term; "O(n^2)" and "n²" read "quadratic"; "4*d_model" reads "4 d_model").
"""

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import simplemma
import yaml

DATA_DIR = Path(__file__).parent / "grading_data"

# Rewrites applied to lower-cased text before it is cut into words (order matters: specific before general).
_REWRITES = [
    (re.compile(r"[√]\s*\(?\s*"), " sqrt "),
    (re.compile(r"\bsqrt\s*\(\s*([a-z_{}]+)\s*\)"), r" sqrt \1 "),
    (re.compile(r"\bo\s*\(\s*(?:n|l|t|seq_?len)\s*(?:\^|\*\*)\s*2\s*\)|\bo\s*\(\s*(?:n|l|t)\s*²\s*\)"), " quadratic "),
    (re.compile(r"\b(?:n|l|t)\s*(?:\^|\*\*)\s*2\b|\b(?:n|l|t)²"), " quadratic "),
    (re.compile(r"\bo\s*\(\s*(?:n|l|t)\s*\)"), " linear "),
    (re.compile(r"\bo\s*\(\s*1\s*\)"), " constant "),
    (re.compile(r"(\d)\s*(?:\*|×|x|·)\s*(?=[a-z])"), r"\1 "),  # 4*d_model, 4x d, 4·d_model
    (re.compile(r"→|->"), " to "),
    (re.compile(r"(?<=\d),(?=\d{3}\b)"), ""),  # 10,000
    (re.compile(r"[{}\\$`*]"), " "),  # LaTeX and markdown leftovers
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"\bcannot\b"), "can not"),
]
_WORD = re.compile(r"[a-z0-9_]+(?:\.[0-9]+)?|[^\sa-z0-9_]")  # words, and single symbols kept as their own tokens
_NUMBER_WORDS = {
    "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8",
    "nine": "9", "ten": "10", "twice": "2", "double": "2", "half": "0.5", "hundred": "100", "thousand": "1000",
}  # fmt: skip
NEGATIONS = {"not", "no", "never", "without", "none", "neither", "nor", "nothing", "cannot", "non", "instead", "rather"}
BOUNDARY = "|"  # the lemma of , ; : . ! ? : a clause boundary that cue scopes and synonym phrases do not cross
CLAUSE_BREAKS = {BOUNDARY, "while", "but", "whereas", "although", "however", "unlike", "so", "because", "which"}
_CLAUSE_WORDS = {"and", "but", "while", "whereas", "so", "because", "which", "then", "whereby", "although"}
_CLAUSE_END = re.compile(r"[,;:.!?)]$")
_ENUMERATION = re.compile(r"^\(?(?:\d{1,2}|[a-h]|i{1,3}|iv|v)[.)]$|^[-•*]$")
MIN_SPAN_WORDS = 2


@dataclass(frozen=True)
class Word:
    text: str  # as typed
    start: int  # character offsets in the answer
    end: int
    lemma: str  # lower-case lemma after the formula rewrites ("" for pure punctuation)


@dataclass(frozen=True)
class Span:
    first: int  # word indices, end exclusive
    last: int
    kind: str  # "window" or "clause"


@cache
def _data(name: str):
    return yaml.safe_load((DATA_DIR / name).read_text(encoding="utf-8"))


@cache
def stopwords() -> frozenset[str]:
    return frozenset(_data("stopwords.yaml").split())


@cache
def _synonym_phrases() -> tuple[tuple[tuple[str, ...], str], ...]:
    """(lemma sequence, canonical term), longest sequence first."""
    phrases = []
    for canonical, variants in _data("synonyms.yaml").items():
        for variant in [canonical, *variants]:
            lemmas = tuple(lemma for lemma in (_lemma(w) for w in _tokens(variant)) if lemma)
            if lemmas:
                phrases.append((lemmas, canonical))
    phrases.sort(key=lambda item: -len(item[0]))
    return tuple(phrases)


@cache
def antonym_pairs() -> tuple[tuple[str, str], ...]:
    return tuple((str(a), str(b)) for a, b in _data("antonyms.yaml"))


def _normalise(text: str) -> str:
    text = text.lower().replace("‑", "-").replace("–", "-").replace("’", "'")
    for pattern, replacement in _REWRITES:
        text = pattern.sub(replacement, text)
    return text


def _tokens(text: str) -> list[str]:
    return [t for t in _WORD.findall(_normalise(text)) if t.strip()]


@lru_cache(maxsize=50_000)
def _lemma(token: str) -> str:
    if token in ",;:.!?":  # noqa: S105 - punctuation, not a password
        return BOUNDARY
    if not re.match(r"[a-z0-9_]", token):
        return ""
    if token in _NUMBER_WORDS:
        return _NUMBER_WORDS[token]
    if "_" in token or token[0].isdigit():
        return token
    lemma = simplemma.lemmatize(token, lang="en").lower()
    if lemma.endswith(("ized", "ised", "izes", "ises")) and len(lemma) > 6:  # words the lemmatizer does not know
        lemma = lemma[:-1]
    return lemma


def answer_words(text: str) -> list[Word]:
    """The answer's words with offsets. A typed word can hold several lemmas ("sqrt(d_k)" -> sqrt, d_k); each gets
    its own Word with the same offsets, so quotes are always cut from the text as typed."""
    words = []
    for match in re.finditer(r"\S+", text):
        for token in _tokens(match.group()):
            words.append(Word(text=match.group(), start=match.start(), end=match.end(), lemma=_lemma(token)))
    return words


def terms(lemmas: list[str]) -> list[str]:
    """Lemmas with domain phrases replaced by their canonical term (synonyms.yaml), empty lemmas dropped."""
    lemmas = [lemma for lemma in lemmas if lemma]
    out, i = [], 0
    phrases = _synonym_phrases()
    while i < len(lemmas):
        for phrase, canonical in phrases:
            if tuple(lemmas[i : i + len(phrase)]) == phrase:
                out.append(canonical)
                i += len(phrase)
                break
        else:
            out.append(lemmas[i])
            i += 1
    return out


def text_terms(text: str) -> list[str]:
    return terms([_lemma(token) for token in _tokens(text)])


def content_terms(all_terms: list[str]) -> set[str]:
    stop = stopwords()
    return {term for term in all_terms if term not in stop and (len(term) > 1 or term.isdigit())}


def negation_count(all_terms: list[str]) -> int:
    return sum(term in NEGATIONS for term in all_terms)


def function_word_share(words: list[Word]) -> float:
    """Share of the answer's words that are function words: about 0.4-0.5 in prose, near 0 in a keyword list."""
    lemmas = [w.lemma for w in words if w.lemma and w.lemma != BOUNDARY]
    if not lemmas:
        return 0.0
    stop = stopwords()
    return sum(lemma in stop for lemma in lemmas) / len(lemmas)


def _distinct(words: list[Word]) -> list[int]:
    """Index of the first Word of each typed word (a typed word may have produced several)."""
    firsts, seen = [], set()
    for index, word in enumerate(words):
        if word.start not in seen:
            seen.add(word.start)
            firsts.append(index)
    return firsts


def answer_spans(words: list[Word], *, window: int, stride: int, max_spans: int) -> list[Span]:
    """Overlapping windows of `window` typed words every `stride` words, plus clauses (cut at commas, semicolons,
    sentence ends, enumeration markers and clause-joining words such as "and") of at least MIN_SPAN_WORDS, alone and
    two by two."""
    firsts = _distinct(words)
    n = len(firsts)
    if n == 0:
        return []
    bound = [*firsts, len(words)]
    spans: list[Span] = []
    starts = range(0, max(1, n - window + stride), stride)
    for s in starts:
        e = min(n, s + window)
        spans.append(Span(bound[s], bound[e], "window"))
        if e == n:
            break
    cuts = [0]
    for k in range(n):
        typed = words[firsts[k]].text
        if _ENUMERATION.match(typed) or (words[firsts[k]].lemma in _CLAUSE_WORDS and k > cuts[-1]):
            cuts.append(k)
        elif _CLAUSE_END.search(typed):
            cuts.append(k + 1)
    cuts.append(n)
    cuts = sorted(set(cuts))
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b - a >= MIN_SPAN_WORDS and b - a < window:  # longer clauses are covered by the windows already
            spans.append(Span(bound[a], bound[b], "clause"))
    for a, c in zip(cuts, cuts[2:], strict=False):  # two neighbouring clauses: "d_model to 4*d_model, ReLU/GELU"
        if c - a < window:
            spans.append(Span(bound[a], bound[c], "clause"))
    seen, unique = set(), []
    for span in spans:
        if (span.first, span.last) not in seen:
            seen.add((span.first, span.last))
            unique.append(span)
    return unique[:max_spans]


def span_text(answer: str, words: list[Word], span: Span) -> str:
    """The span as typed (for the encoder and for quoting), edge punctuation trimmed."""
    text = answer[words[span.first].start : words[span.last - 1].end]
    return text.strip(" ,;:.(").strip()
