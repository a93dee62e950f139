"""Read a Q&A file, detect its format, parse it, resolve pointer answers."""

from pathlib import Path

from .delimited import delimited_parse
from .detect import qa_format_detect
from .flashcards import flashcards_parse
from .jsonlist import json_parse
from .markdown_headings import markdown_headings_parse
from .markdown_qa import markdown_qa_parse
from .pointers import pointers_resolve
from .text import qa_text_decode
from .types import ParsedFile, QAFormatError

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
    pointers_resolve(parsed)
    for entry in parsed.questions:
        if not entry.answer.strip() and entry.points_to is None:
            parsed.warnings.append(f"{path}:{entry.line}: empty answer for {entry.question[:60]!r}")
    return parsed


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
