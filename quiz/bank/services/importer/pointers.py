"""Answers that only point to another question ("Already covered in Technical Deep Dive section #7.").

Such an entry is resolved to the question it names (by section name and number, or by number in
the same section / the whole file); the importer then merges it into that question's card.
"""

import re

from quiz.bank.services.fingerprint import question_normalize as normalize

from .types import ParsedFile, ParsedQuestion

_POINTER = re.compile(
    r"^(?:(?:this|it)\s+(?:is|was)\s+)?(?:already\s+)?(?:covered|answered|discussed|addressed|explained|"
    r"see|refer to|same as|duplicate of|identical to)\s+(?:(?:in|under|at|by|above in|below in)\s+)?"
    r"(?P<ref>.+?)[.!]?$",
    re.IGNORECASE,
)
_REF = re.compile(
    r"^(?:the\s+)?(?P<section>.*?)\s*(?:section|question|q|no\.?|number|item)?\s*#?\s*(?P<num>\d+)"
    r"(?:\s+(?:above|below|earlier|later))?$",
    re.IGNORECASE,
)


def pointer_reference(answer: str) -> tuple[str, int] | None:
    """(section words, number) when an answer is nothing but a pointer to another question."""
    text = " ".join(answer.split())
    if not text or len(text) > 160 or "\n" in answer.strip():
        return None
    match = _POINTER.match(text)
    ref = _REF.match(match.group("ref").strip()) if match else None
    if not ref:
        return None
    section = re.sub(r"\b(?:the|section|in|of)\b", " ", ref.group("section"), flags=re.IGNORECASE)
    return " ".join(section.split()), int(ref.group("num"))


def _target(questions: list[ParsedQuestion], entry: ParsedQuestion, section: str, number: int):
    numbered = [q for q in questions if q.number == number and q is not entry]
    if section:
        words = set(normalize(section).split())
        matches = [q for q in numbered if words and words <= set(normalize(q.topic).split())]
    else:
        matches = [q for q in numbered if q.topic == entry.topic] or numbered
    return matches[0] if len(matches) == 1 else None


def pointers_resolve(parsed: ParsedFile) -> None:
    """Set points_to on entries whose answer only points elsewhere (following chains)."""
    for entry in parsed.questions:
        reference = pointer_reference(entry.answer)
        if reference is None:
            continue
        target = _target(parsed.questions, entry, *reference)
        seen = {id(entry)}
        while target is not None and target.points_to is None and id(target) not in seen:
            seen.add(id(target))
            further = pointer_reference(target.answer)
            if further is None:
                break
            target = _target(parsed.questions, target, *further)
        if target is None:
            parsed.warnings.append(f"{parsed.path}:{entry.line}: answer points to another question that was not found")
        else:
            entry.points_to = target.points_to or target.question
