"""Split a question's body into the answer and the deeper explanation kept as details.

Bodies may carry bold labels: `**Answer:**` starts the answer, labels such as
`**Reasoning & Deep Dive:**` or `**Mathematical derivation:**` start the details; other labels
(`**Formula:**`) stay inside whichever part they appear in. An arrow (`→ ...`) or `A:` opens an answer.
"""

import re

from .text import body_clean

_LABEL = re.compile(r"^\s*(?:\*\*|__)([^*_]{1,60}?)\s*(?::\s*(?:\*\*|__)|(?:\*\*|__)\s*:)\s*(.*)$")
_PLAIN_ANSWER = re.compile(r"^\s*(?:A|Ans|Answer)\s*[:.)\-–—]\s*(.*)$", re.IGNORECASE)
# `**Answer -**`, `**Ans.**`, `**A)**`: a bold answer label with any separator.
_BOLD_ANSWER = re.compile(r"^\s*(?:\*\*|__)\s*(?:a|ans|answer)\s*[:.)\-–—]\s*(?:\*\*|__)\s*(.*)$", re.IGNORECASE)
_ARROW = re.compile(r"^\s*(?:→|->|=>)\s*(.*)$")
ANSWER_LABELS = re.compile(r"^(?:a|ans|answer|short answer|response)$", re.IGNORECASE)
DETAIL_LABELS = re.compile(
    r"reason|deep\s*dive|derivation|proof|intuition|in depth|in-depth|details?\b|under the hood|"
    r"explanation|mathematic|why it works|elaborat|follow[- ]?up",
    re.IGNORECASE,
)
# Generic detail labels carry no information of their own: the label line is dropped.
GENERIC_DETAIL_LABELS = re.compile(
    r"^(?:reasoning(?:\s*&\s*deep dive)?|deep dive|details|explanation|in depth)$", re.IGNORECASE
)


def label_of(line: str) -> tuple[str, str] | None:
    """(label, rest of line) for a `**Label:** rest` line."""
    match = _LABEL.match(line)
    return (match.group(1).strip(), match.group(2)) if match else None


def answer_details_split(lines: list[str]) -> tuple[str, str]:
    """(answer, details) from the lines under a question."""
    answer: list[str] = []
    details: list[str] = []
    current = answer
    seen_content = False
    in_fence = False
    for line in lines:
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        if not in_fence:
            label = label_of(line)
            bold_answer = _BOLD_ANSWER.match(line)
            if bold_answer:
                label = ("Answer", bold_answer.group(1))
            if label and ANSWER_LABELS.match(label[0]):
                current = answer
                if label[1].strip():
                    current.append(label[1])
                seen_content = True
                continue
            if label and DETAIL_LABELS.search(label[0]):
                current = details
                if not GENERIC_DETAIL_LABELS.match(label[0]):
                    current.append(line)
                elif label[1].strip():
                    current.append(label[1])
                seen_content = True
                continue
            if not seen_content and line.strip():
                arrow = _ARROW.match(line) or _PLAIN_ANSWER.match(line)
                if arrow:
                    line = arrow.group(1)
        if line.strip():
            seen_content = True
        current.append(line)
    return body_clean(answer), body_clean(details)
