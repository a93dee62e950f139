"""JSON lists of `{question, answer, topic?, tags?, details?}` (or `{"questions": [...]}`)."""

import json
import re

from .text import question_clean, question_number
from .types import ParsedFile, ParsedQuestion, QAFormatError

_KEYS = {
    "question": ("question", "q", "front", "term", "prompt"),
    "answer": ("answer", "a", "back", "definition"),
    "details": ("details", "explanation", "extra"),
    "topic": ("topic", "section", "category", "deck"),
    "tags": ("tags", "tag"),
}
_LIST_KEYS = ("questions", "cards", "items", "data")


def _line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _items_with_lines(text: str, path: str) -> list[tuple[int, object]]:
    """Top-level list items, each with the line it starts on."""
    decoder = json.JSONDecoder()
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise QAFormatError(path, exc.lineno, f"invalid JSON: {exc.msg} (column {exc.colno})") from None
    start = len(text) - len(text.lstrip())
    if isinstance(data, dict):
        key = next((k for k in _LIST_KEYS if isinstance(data.get(k), list)), None)
        if key is None:
            raise QAFormatError(
                path, 1, f"JSON object without a list of questions (expected a list or one of {_LIST_KEYS})"
            )
        match = re.search(rf'"{re.escape(key)}"\s*:\s*\[', text)
        start = match.end() - 1 if match else start
    elif not isinstance(data, list):
        raise QAFormatError(path, 1, "JSON must be a list of {question, answer} objects")
    items = []
    index = start + 1
    while True:
        while index < len(text) and text[index] in " \t\r\n,":
            index += 1
        if index >= len(text) or text[index] == "]":
            return items
        item, end = decoder.raw_decode(text, index)
        items.append((_line_at(text, index), item))
        index = end


def _field(item: dict, key: str) -> object:
    return next((item[name] for name in _KEYS[key] if name in item), None)


def _text(value: object, path: str, line: int, key: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "\n".join(value)
    if not isinstance(value, (str, int, float)):
        raise QAFormatError(path, line, f"'{key}' must be text, got {type(value).__name__}")
    return str(value).strip()


def json_parse(*, text: str, path: str) -> ParsedFile:
    parsed = ParsedFile(path=path, format="json")
    for line, item in _items_with_lines(text, path):
        if not isinstance(item, dict):
            raise QAFormatError(
                path, line, f"expected an object with 'question' and 'answer', got {type(item).__name__}"
            )
        raw = _text(_field(item, "question"), path, line, "question")
        if not raw:
            raise QAFormatError(path, line, "missing 'question'")
        tags = _field(item, "tags") or []
        if isinstance(tags, str):
            tags = [t for t in re.split(r"[\s,;]+", tags) if t]
        if not isinstance(tags, list):
            raise QAFormatError(path, line, "'tags' must be a list or a string")
        parsed.questions.append(
            ParsedQuestion(
                question=question_clean(raw),
                answer=_text(_field(item, "answer"), path, line, "answer"),
                details=_text(_field(item, "details"), path, line, "details"),
                topic=_text(_field(item, "topic"), path, line, "topic"),
                tags=[str(t) for t in tags],
                line=line,
                raw=raw,
                number=question_number(raw),
            )
        )
    return parsed
