"""Read a Q&A file, detect its format, parse it, resolve pointer answers."""

import re
from pathlib import Path

from quizsite.text_policy import text_problem

from .delimited import delimited_parse
from .detect import qa_format_detect
from .flashcards import flashcards_parse
from .jsonlist import json_parse
from .markdown_headings import markdown_headings_parse
from .markdown_qa import markdown_qa_parse
from .pointers import pointers_resolve
from .text import qa_text_decode
from .types import ParsedFile, ParsedQuestion, QAFormatError

MESSAGE_CONTROL_CHARACTER = (
    "the {field} contains a control character ({code}, written as \\u{hex} in JSON); "
    "NUL and control characters are not accepted: remove it and import again"
)

_PARSERS = {
    "json": json_parse,
    "markdown-headings": markdown_headings_parse,
    "markdown-qa": markdown_qa_parse,
    "flashcards": flashcards_parse,
}


def qa_text_parse(*, text: str, path: str, format: str | None = None) -> ParsedFile:
    """Parse text already decoded; `format` overrides detection."""
    fmt = format or qa_format_detect(text=text, path=path)
    if fmt in ("tsv", "csv"):
        parsed = delimited_parse(text=text, path=path, delimiter="\t" if fmt == "tsv" else ",")
    elif fmt in _PARSERS:
        parsed = _PARSERS[fmt](text=text, path=path)
    else:
        raise QAFormatError(path, 1, f"unknown format {fmt!r}")
    if not parsed.questions:
        raise QAFormatError(path, 1, f"no questions found (read as {parsed.format})")
    control_characters_refuse(parsed)
    pointers_resolve(parsed)
    data_uris_strip(parsed, text=text)
    repeated_numbers_report(parsed)
    unanswered_report(parsed)
    return parsed


_DATA_URI_IMAGE = re.compile(
    r"!\[[^\]\n]*\]\(\s*data:[^)\s]*\s*\)|<img\b[^>]*?\bsrc\s*=\s*[\"']data:[^\"']*[\"'][^>]*>", re.IGNORECASE
)
MESSAGE_DATA_URI = (
    "{path}:{line}: an image pasted as a data URI ({size:,} characters) was left out of the card; "
    "write the formula as text ($...$) to keep it"
)
MESSAGE_REPEATED_NUMBER = "{path}:{line}: question number {number} is used again (first at line {first}); both kept"
MESSAGE_UNANSWERED = (
    "{path}:{line}: {count} question(s) have no answer (lines {lines}): imported as questions awaiting an answer, "
    "shown in the bank and left out of study and quizzes until answered"
)


def data_uris_strip(parsed: ParsedFile, *, text: str) -> None:
    """Images pasted as data URIs (math copied from a rendered page) are kilobytes of base64: not content."""
    for number, line in enumerate(text.splitlines(), start=1):
        for match in _DATA_URI_IMAGE.finditer(line):
            parsed.warnings.append(MESSAGE_DATA_URI.format(path=parsed.path, line=number, size=len(match.group(0))))
    for entry in parsed.questions:
        for name in ("question", "answer", "details"):
            value = getattr(entry, name)
            if "data:" in value:
                setattr(entry, name, re.sub(r"[ \t]{2,}", " ", _DATA_URI_IMAGE.sub("", value)).strip())


def control_characters_refuse(parsed: ParsedFile) -> None:
    """The site's text rule (quizsite.text_policy) for every field of every question: file:line of the first."""
    for entry in parsed.questions:
        for name in ("question", "answer", "details", "topic", "tags"):
            values = getattr(entry, name)
            for value in values if isinstance(values, list) else [values]:
                if problem := text_problem(str(value), field=name):
                    message = MESSAGE_CONTROL_CHARACTER.format(field=name, code=problem.code, hex=problem.code[2:])
                    raise QAFormatError(parsed.path, entry.line or 1, message)


def repeated_numbers_report(parsed: ParsedFile) -> None:
    """Two different questions with one number in one section (numbering that restarts per section is normal)."""
    first_at: dict[tuple[str, int], ParsedQuestion] = {}
    for entry in parsed.questions:
        if entry.number is None:
            continue
        seen = first_at.setdefault((entry.topic, entry.number), entry)
        if seen is not entry and seen.question != entry.question:
            parsed.warnings.append(MESSAGE_REPEATED_NUMBER.format(path=parsed.path, line=entry.line,
                                                                  number=entry.number, first=seen.line))  # fmt: skip


def unanswered_report(parsed: ParsedFile) -> None:
    """One warning for all questions without an answer (a file of questions only is a study list, not an error)."""
    lines = [entry.line for entry in parsed.questions if not entry.answer.strip() and entry.points_to is None]
    if lines:
        parsed.warnings.append(MESSAGE_UNANSWERED.format(path=parsed.path, line=lines[0], count=len(lines),
                                                         lines=", ".join(map(str, lines))))  # fmt: skip


def qa_file_parse(*, path: str | Path) -> ParsedFile:
    """Parse one file; every problem is a QAFormatError naming `file:line`."""
    name = str(path)
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise QAFormatError(name, 1, "is a directory, not a file") from None
    except OSError as exc:
        raise QAFormatError(name, 1, f"cannot read file: {exc.strerror or exc}") from None
    return qa_text_parse(text=qa_text_decode(data=data, path=name), path=name)
