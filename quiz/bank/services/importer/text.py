"""Text helpers shared by the parsers: decoding bytes, cleaning questions, answers and topic names."""

import re

from .types import ParsedFile, QAFormatError

MESSAGE_OUTSIDE_QUESTIONS = (
    "{path}:{line}: not part of any card (lines {lines}): headings with no question under them, a title that the "
    "`> Topic:` line replaces, or text under a title or section heading; put text under a question to keep it"
)
_BINARY_SAMPLE = 8192
_NUMBER = re.compile(r"^\s*(?:q(?:uestion)?\s*)?(\d+)(?:\s*[.):\-–—]|\s+(?=\S))", re.IGNORECASE)
_PREFIX = re.compile(
    r"^\s*(?:q(?:uestion)?\s*\d+|q(?:uestion)?(?=\s*[.):\-–—])|\d+(?=\s*[.):\-–—]))\s*[.):\-–—]*\s*",
    re.IGNORECASE,
)
_BOLD_LABEL = re.compile(r"^(?:\*\*|__)\s*(?:q|question)\s*\d*\s*[.):\-–—]?\s*(?:\*\*|__)\s*", re.IGNORECASE)
_BOLD = re.compile(r"^\*\*(.+?)\*\*$|^__(.+?)__$")
_SECTION_NUMBER = re.compile(r"^\s*(?:(?:part|section|chapter|day)\s*)?\d+(?:\.\d+)*\s*[.):\-–—]?\s+", re.IGNORECASE)
_COUNT_SUFFIX = re.compile(r"\s*\(\s*\d+\s+(?:questions?|cards?|items?)\s*\)\s*$", re.IGNORECASE)
_SEPARATOR = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_JUNK = re.compile(r"^\s*In \[\s*\d*\s*\]:\s*$")


def qa_text_decode(*, data: bytes, path: str) -> str:
    """UTF-8 text of a file, or a QAFormatError for empty, binary or non-UTF-8 content."""
    if not data.strip():
        raise QAFormatError(path, 1, "empty file: no questions to import")
    if b"\x00" in data[:_BINARY_SAMPLE]:
        raise QAFormatError(path, 1, "binary file (NUL bytes); expected a UTF-8 text, CSV/TSV or JSON file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = data[exc.start]
        raise QAFormatError(path, line, f"not UTF-8 text (byte 0x{bad:02x}); re-save the file as UTF-8") from None
    return text.removeprefix("\ufeff")


def question_number(text: str) -> int | None:
    """The number a question is written with ("3." / "Q3:" / "Question 3 -"), if any."""
    match = _NUMBER.match(unbold(text))
    return int(match.group(1)) if match else None


def unbold(text: str) -> str:
    text = text.strip()
    match = _BOLD.match(text)
    return (match.group(1) or match.group(2)).strip() if match else text


def question_clean(text: str) -> str:
    """Display text of a question: no heading marks, bold markers, numbering or "Question:" label, in any order
    ("11. Question: ...", "Q: 3. ...", "**Question 3:** ...")."""
    text = unbold(text.strip().lstrip("#").strip())
    for _ in range(3):
        before = text
        text = unbold(_PREFIX.sub("", text, count=1).strip())
        text = unbold(_BOLD_LABEL.sub("", text, count=1).strip())
        if text == before:
            break
    return text


def topic_name_clean(text: str) -> str:
    """ "1. Fundamentals (21 Questions)" -> "Fundamentals"."""
    text = unbold(text.strip().lstrip("#").strip())
    text = _COUNT_SUFFIX.sub("", text)
    text = _SECTION_NUMBER.sub("", text, count=1)
    return text.strip(" :-–—") or text.strip()


def body_clean(lines: list[str]) -> str:
    """Join answer lines: drop separators and notebook junk, trim blank edges, keep markdown."""
    kept = [line.rstrip() for line in lines if not _SEPARATOR.match(line) and not _JUNK.match(line)]
    while kept and not kept[0].strip():
        kept.pop(0)
    while kept and not kept[-1].strip():
        kept.pop()
    out: list[str] = []
    for line in kept:  # collapse runs of blank lines
        if line.strip() or (out and out[-1].strip()):
            out.append(line)
    return "\n".join(out)


def outside_report(parsed: ParsedFile, lines: list[int]) -> None:
    """One warning naming every line that became no part of a card."""
    if lines:
        lines = sorted(set(lines))
        parsed.warnings.append(MESSAGE_OUTSIDE_QUESTIONS.format(path=parsed.path, line=lines[0],
                                                                lines=", ".join(map(str, lines))))  # fmt: skip


def is_separator(line: str) -> bool:
    return bool(_SEPARATOR.match(line)) or bool(_JUNK.match(line))
