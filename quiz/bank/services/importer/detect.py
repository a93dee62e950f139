"""Which format family a file is written in, judged from its text (the extension only breaks ties)."""

import re
from pathlib import Path

from .flashcards import flashcard_question_line
from .markdown_headings import headings_classify, headings_split, question_like
from .markdown_qa import qa_line_question
from .types import QAFormatError

FORMATS = ("json", "tsv", "csv", "markdown-headings", "markdown-qa", "flashcards")
_CSV_HEADER = re.compile(
    r"^\s*\"?(?:question|front|term|q)\"?\s*[,;]\s*\"?(?:answer|back|definition|a)\b", re.IGNORECASE
)
_JSON_START = re.compile(r'^\s*(?:\[\s*(?:\{|\]|$)|\{\s*")')
_ANKI_HEADER = re.compile(r"^#(?:separator|html|tags column|notetype|deck|guid)\b", re.IGNORECASE)


def _markdown_counts(text: str) -> tuple[int, int]:
    """(question headings, bold or Q: question lines)."""
    lines = text.splitlines()
    _, headings = headings_split(lines)
    headings_classify(headings)
    heading_questions = sum(1 for h in headings if h.kind == "question" and question_like(h.text))
    bold, in_fence = 0, False
    for line in lines:
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        elif not in_fence and qa_line_question(line):
            bold += 1
    return heading_questions, bold


def qa_format_detect(*, text: str, path: str) -> str:
    """One of FORMATS, or a QAFormatError naming the file when no known layout fits."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json" or _JSON_START.match(text):
        return "json"
    lines = [line for line in text.splitlines() if line.strip()]
    first = lines[0] if lines else ""
    if suffix == ".tsv":
        return "tsv"
    if suffix == ".csv":
        return "csv"
    if _ANKI_HEADER.match(first):
        return "tsv" if "tab" in first.lower() or not first.lower().startswith("#separator") else "csv"
    body = [line for line in lines if not line.startswith("#")]
    if body and sum("\t" in line for line in body) >= 0.8 * len(body):
        return "tsv"
    if _CSV_HEADER.match(first):
        return "csv"
    headings, bold = _markdown_counts(text)
    if headings and headings >= bold:
        return "markdown-headings"
    if bold:
        return "markdown-qa"
    if sum(flashcard_question_line(line) for line in lines) >= 1:
        return "flashcards"
    raise QAFormatError(
        path, 1, "unknown format: no questions found (expected markdown Q&A, flashcards, TSV/CSV or JSON)"
    )
