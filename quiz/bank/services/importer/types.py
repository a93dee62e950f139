"""What every format parser produces: parsed questions, a parsed file, and the one error type."""

from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ParsedQuestion:
    """One question entry as a file holds it.

    `question` is the display text (numbering and markup removed), `raw` the text as written;
    `points_to` is the question text of another entry when the answer only points there.
    """

    question: str
    answer: str = ""
    details: str = ""
    topic: str = ""
    tags: list[str] = field(default_factory=list)
    line: int = 0
    points_to: str | None = None
    raw: str = ""
    number: int | None = None


@dataclass
class ParsedFile:
    path: str
    format: str
    title: str = ""
    questions: list[ParsedQuestion] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class QAFormatError(Exception):
    """A file that cannot be imported; str() is "file:line: message"."""

    def __init__(self, path: str | Path, line: int, message: str):
        self.path = str(path)
        self.line = line
        self.message = message
        super().__init__(f"{self.path}:{line}: {message}")
