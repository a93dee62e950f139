"""Question fingerprints: how a bank card proves which material question it answers.

The fingerprint is a short hash of the question text after normalization, so the same question
written with another numbering, markdown or punctuation maps to the same card, and the bank can
record coverage without carrying the material's text.
"""

import hashlib
import re
import unicodedata

# "1.", "12)", "Q1:", "Q3.", "Question 1 -", "Q:" at the start of a question line.
_NUMBERING = re.compile(
    r"^\s*(?:q(?:uestion)?\s*\d+|q(?:uestion)?(?=\s*[.):\-–—])|\d+(?=\s*[.):\-–—]))\s*[.):\-–—]*\s*",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[*_`#>~\[\]]")
_NON_WORD = re.compile(r"[^\w]+")


def question_normalize(text: str) -> str:
    """Lower-case words of a question with numbering, markup and punctuation removed."""
    text = unicodedata.normalize("NFKC", text)
    text = _MARKUP.sub(" ", text).strip()
    text = _NUMBERING.sub("", text, count=1)
    text = _NUMBERING.sub("", text, count=1)  # "11. Question: ..." carries a number and a label
    text = _NON_WORD.sub(" ", text.lower())
    return " ".join(text.split())


def question_fingerprint(text: str) -> str:
    """16 hex characters identifying a question regardless of its formatting."""
    return hashlib.sha256(question_normalize(text).encode()).hexdigest()[:16]
