"""TSV / CSV front-back exports (Anki, Quizlet) with an optional tags column.

Anki header lines are understood: `#separator:tab|comma|semicolon|pipe|space|<char>`, `#html:true`,
`#tags column:N` (1-based); other `#key:value` lines at the top are skipped. A first row naming its
columns (question/front/term, answer/back/definition, tags, topic/deck, details/extra) maps them.
"""

import csv
import html
import re

from .text import question_clean, question_number
from .types import ParsedFile, ParsedQuestion, QAFormatError

_SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "pipe": "|", "space": " ", "colon": ":"}
_HEADER_LINE = re.compile(r"^#([a-z ]+):(.*)$", re.IGNORECASE)
_COLUMN_NAMES = {
    "question": ("question", "front", "term", "q", "prompt"),
    "answer": ("answer", "back", "definition", "a", "response"),
    "tags": ("tags", "tag"),
    "topic": ("topic", "deck", "section", "category"),
    "details": ("details", "extra", "notes", "explanation"),
}
_TAG_SPLIT = re.compile(r"[\s,;]+")
_BR = re.compile(r"<br\s*/?>|</(?:p|div|li)>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


def anki_header_read(lines: list[str]) -> tuple[dict[str, str], int]:
    """Anki `#key:value` header options and the number of lines they take."""
    options: dict[str, str] = {}
    count = 0
    for line in lines:
        match = _HEADER_LINE.match(line.strip())
        if not match:
            break
        options[match.group(1).strip().lower()] = match.group(2).strip()
        count += 1
    return options, count


def html_to_text(value: str) -> str:
    return html.unescape(_TAG.sub("", _BR.sub("\n", value))).strip()


def _columns_from_header(row: list[str]) -> dict[str, int] | None:
    names = [cell.strip().lower() for cell in row]
    columns = {}
    for key, aliases in _COLUMN_NAMES.items():
        for index, name in enumerate(names):
            if name in aliases:
                columns.setdefault(key, index)
    return columns if {"question", "answer"} <= columns.keys() else None


def delimited_parse(*, text: str, path: str, delimiter: str) -> ParsedFile:
    lines = text.splitlines(keepends=True)
    options, skip = anki_header_read([line.rstrip("\r\n") for line in lines])
    sep = options.get("separator", "")
    delimiter = _SEPARATORS.get(sep.lower(), sep[:1] or delimiter)
    as_html = options.get("html", "").lower() == "true"
    parsed = ParsedFile(path=path, format="tsv" if delimiter == "\t" else "csv")
    columns = {"question": 0, "answer": 1}
    if "tags column" in options:
        try:
            columns["tags"] = int(options["tags column"]) - 1
        except ValueError:
            raise QAFormatError(path, skip, f"'#tags column:' needs a number, got {options['tags column']!r}") from None
    reader = csv.reader(lines[skip:], delimiter=delimiter, strict=True)
    rows: list[tuple[int, list[str]]] = []
    start = skip + 1
    try:
        for row in reader:
            rows.append((start, row))
            start = skip + reader.line_num + 1
    except csv.Error as exc:
        raise QAFormatError(path, start, f"malformed {parsed.format.upper()} row starting here: {exc}") from None
    if rows and (header := _columns_from_header(rows[0][1])):
        columns, rows = header, rows[1:]
    elif "tags" not in columns and rows and all(len(r) == 3 and _tag_like(r[2]) for _, r in rows if any(r)):
        columns["tags"] = 2
    width = max(columns.values()) + 1
    for line, row in rows:
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < 2:
            raise QAFormatError(
                path, line, f"expected a question and an answer separated by {delimiter!r}, got 1 column"
            )
        if len(row) < width and "tags" in columns and columns["tags"] >= len(row):
            row = row + [""] * (width - len(row))
        cells = {key: row[index] if index < len(row) else "" for key, index in columns.items()}
        if as_html or "<br" in cells["question"] + cells["answer"]:
            cells = {key: html_to_text(value) for key, value in cells.items()}
        raw = cells["question"].strip()
        if not raw:
            raise QAFormatError(path, line, "empty question")
        parsed.questions.append(
            ParsedQuestion(
                question=question_clean(raw),
                answer=cells["answer"].strip(),
                details=cells.get("details", "").strip(),
                topic=cells.get("topic", "").strip(),
                tags=[t for t in _TAG_SPLIT.split(cells.get("tags", "")) if t],
                line=line,
                raw=raw,
                number=question_number(raw),
            )
        )
    return parsed


def _tag_like(value: str) -> bool:
    value = value.strip()
    return not value or (len(value) <= 80 and bool(re.fullmatch(r"[\w:\-/.]+(?:[ ,][\w:\-/.]+)*", value)))
