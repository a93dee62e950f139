"""Flat flashcard exports (Quizlet-like): a question line, its answer lines, section names between.

Question lines end with "?". The export tool's header lines (`1/113`, "Looks like no tags...",
table rows, "No study sessions yet.") are skipped. A short title-like line after a card's answer
and right before a question names the next section. A question followed directly by another
question (or by blank lines only) has an empty answer.
"""

import re

from .text import question_clean, question_number, topic_name_clean
from .types import ParsedFile, ParsedQuestion

_JUNK = re.compile(
    r"^(?:\d+\s*/\s*\d+|looks like no tags.*|no study sessions yet\.?|terms in this set.*|"
    r"\|?[-:| ]*\|[-:| ]*|.*\|.*\|.*|name\s*\|.*)$",
    re.IGNORECASE,
)
MESSAGE_SKIPPED = (
    "{path}:{line}: {count} line(s) before the first question skipped: export-tool lines (counters, empty tag "
    "notices, table rows) or text that is neither a question nor a section name (lines {lines})"
)
_SECTION_MAX_CHARS = 60
_SECTION_MAX_WORDS = 8


def flashcard_question_line(line: str) -> bool:
    text = line.strip()
    return text.endswith("?") and not text.startswith(("-", "*", ">", "#", "|")) and len(text) > 3


def section_like(line: str) -> bool:
    text = line.strip()
    return (
        0 < len(text) <= _SECTION_MAX_CHARS
        and len(text.split()) <= _SECTION_MAX_WORDS
        and not text.endswith((".", ",", ";", ":", "!", "?"))
        and not text[0].islower()
        and "→" not in text
    )


def flashcards_parse(*, text: str, path: str) -> ParsedFile:
    parsed = ParsedFile(path=path, format="flashcards")
    lines = text.splitlines()
    starts = [i for i, line in enumerate(lines) if flashcard_question_line(line)]
    if not starts:
        return parsed
    header = [(number, line.strip()) for number, line in enumerate(lines[: starts[0]], start=1) if line.strip()]
    furniture = [number for number, line in header if _JUNK.match(line)]
    header = [(number, line) for number, line in header if not _JUNK.match(line)]
    topic = topic_name_clean(header[-1][1]) if header else ""
    skipped = furniture + [number for number, _ in header[:-1]]
    if skipped:
        parsed.warnings.append(MESSAGE_SKIPPED.format(path=path, line=min(skipped), count=len(skipped),
                                                      lines=", ".join(map(str, sorted(skipped)))))  # fmt: skip
    for position, start in enumerate(starts):
        end = starts[position + 1] if position + 1 < len(starts) else len(lines)
        block = lines[start + 1 : end]
        next_topic = topic
        if end < len(lines):  # trailing title-like lines before the next question name its section
            content = [line for line in block if line.strip()]
            first_blank = bool(block) and not block[0].strip()
            if content and section_like(content[-1]) and (len(content) > 1 or first_blank):
                next_topic = topic_name_clean(content[-1])
                block = block[: max(i for i, line in enumerate(block) if line.strip())]
        raw = lines[start].strip()
        parsed.questions.append(
            ParsedQuestion(
                question=question_clean(raw),
                answer="\n".join(line.strip() for line in block if line.strip()),
                topic=topic,
                line=start + 1,
                raw=raw,
                number=question_number(raw),
            )
        )
        topic = next_topic
    return parsed
