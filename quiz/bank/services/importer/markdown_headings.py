"""Markdown whose questions are headings (`## 1. What is ...?`, `### Q2: ...`, `## Question 3 - ...`).

A heading is a section (a topic) when nothing but deeper headings follow it; the first such level-1
heading is the file's title. Headings with text under them are questions; `> **Topic**: X`
blockquotes before the first question are preamble (their Topic names the file's topic).
"""

import re
from dataclasses import dataclass, field

from .labels import answer_details_split
from .text import is_separator, outside_report, question_clean, question_number, topic_name_clean, unbold
from .types import ParsedFile, ParsedQuestion

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_PREAMBLE = re.compile(r"^\s*>\s*(?:\*\*|__)?\s*([\w ]+?)\s*(?:\*\*|__)?\s*:\s*(?:\*\*|__)?\s*(.*)$")
_QUESTION_PREFIX = re.compile(r"^\s*(?:q(?:uestion)?\s*\d*\s*[.:)\-–—]|q\s*\d+\b|\d+\s*[.):\-–—])", re.IGNORECASE)


_NOT_QUESTIONS = re.compile(
    r"^(?:table of )?contents|^(?:introduction|overview|preface|about|summary|conclusion|references|resources|"
    r"further reading|notes|license|acknowledg\w*|appendix|glossary|changelog|todo)\b",
    re.IGNORECASE,
)


def question_like(text: str) -> bool:
    """Numbered, Q-prefixed, or ending in a question mark."""
    plain = text.strip().strip("*_ ").strip()
    return bool(_QUESTION_PREFIX.match(plain)) or plain.rstrip(" .").endswith("?")


@dataclass
class _Heading:
    level: int
    text: str
    line: int
    body: list[str] = field(default_factory=list)
    kind: str = ""  # "question" | "section" | "title"

    @property
    def has_content(self) -> bool:
        return any(line.strip() and not is_separator(line) and not line.lstrip().startswith(">") for line in self.body)


def headings_split(lines: list[str]) -> tuple[list[str], list[_Heading]]:
    """Lines before the first heading, and every heading (outside code fences) with its body."""
    head: list[str] = []
    headings: list[_Heading] = []
    in_fence = False
    for number, line in enumerate(lines, start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else HEADING.match(line)
        if match:
            headings.append(_Heading(level=len(match.group(1)), text=match.group(2), line=number))
        elif headings:
            headings[-1].body.append(line)
        else:
            head.append(line)
    return head, headings


def headings_classify(headings: list[_Heading]) -> None:
    for index, heading in enumerate(headings):
        following = headings[index + 1] if index + 1 < len(headings) else None
        deeper_next = following is not None and following.level > heading.level
        if heading.has_content:
            heading.kind = "question" if question_like(heading.text) else ""
        elif deeper_next or not question_like(heading.text):
            heading.kind = "section"
        else:
            heading.kind = "question"  # a question with an empty answer
    levels = {h.level for h in headings if h.kind == "question"}
    for heading in headings:
        if not heading.kind:  # text under a heading that does not look like a question
            named_section = bool(_NOT_QUESTIONS.match(topic_name_clean(heading.text)))
            in_question_level = not levels or heading.level in levels
            heading.kind = "question" if in_question_level and not named_section else "section"
    _answer_parts_mark(headings)
    if headings and headings[0].kind == "section" and headings[0].level == 1:
        heading = headings[0]
        if not any(h.level == 1 for h in headings[1:]):
            heading.kind = "title"


def _answer_parts_mark(headings: list[_Heading]) -> None:
    """Headings deeper than the open question belong to its answer ("### BERT's approach:" under "# Q3. ..."),
    until a heading at the question's level or above. A deeper heading that is numbered or Q-prefixed is a
    question written at a stray level, not part of the answer."""
    open_level = None
    for heading in headings:
        if open_level is not None and heading.level > open_level:
            numbered = bool(_QUESTION_PREFIX.match(heading.text.strip().strip("*_ ")))
            if heading.kind != "question" or not numbered:
                heading.kind = "answer-part"
                continue
        open_level = heading.level if heading.kind == "question" else None


def markdown_headings_parse(*, text: str, path: str) -> ParsedFile:
    head, headings = headings_split(text.splitlines())
    headings_classify(headings)
    parsed = ParsedFile(path=path, format="markdown-headings")
    stack: list[_Heading] = []
    bodies: list[list[str]] = []  # each question's lines, its answer's sub-headings included
    used_headings: set[int] = set()  # sections that some question sits under
    preamble_topic = ""
    for heading in headings:
        if heading.kind == "title":
            parsed.title = topic_name_clean(heading.text)
        if heading.kind in ("title", "section") or not parsed.questions:
            for line in (head if heading is headings[0] else []) + heading.body:
                match = _PREAMBLE.match(line)
                if match and match.group(1).lower() == "topic" and match.group(2).strip():
                    preamble_topic = preamble_topic or match.group(2).strip().strip("*_ ")
        if heading.kind == "section":
            while stack and stack[-1].level >= heading.level:
                stack.pop()
            stack.append(heading)
            continue
        if heading.kind == "answer-part" and bodies:
            bodies[-1] += ["", f"**{unbold(heading.text)}**", *heading.body]
            continue
        if heading.kind != "question":
            continue
        while stack and stack[-1].level > heading.level:
            stack.pop()
        bodies.append(list(heading.body))
        used_headings.update(id(section) for section in stack)
        parsed.questions.append(
            ParsedQuestion(
                question=question_clean(heading.text),
                topic=topic_name_clean(stack[-1].text) if stack else "",
                line=heading.line,
                raw=heading.text,
                number=question_number(heading.text),
            )
        )
    for entry, body in zip(parsed.questions, bodies, strict=True):
        entry.answer, entry.details = answer_details_split(body)
    title_replaced = bool(preamble_topic) and parsed.title not in ("", preamble_topic)
    parsed.title = preamble_topic or parsed.title
    used = {entry.topic for entry in parsed.questions} | {parsed.title}
    skipped = _content_lines(head, first=1)
    for heading in headings:
        if heading.kind in ("title", "section"):
            unused = id(heading) not in used_headings and topic_name_clean(heading.text) not in used
            unused = unused or (heading.kind == "title" and title_replaced)
            skipped += ([heading.line] if unused else []) + _content_lines(heading.body, first=heading.line + 1)
    outside_report(parsed, skipped)
    return parsed


def _content_lines(lines: list[str], *, first: int) -> list[int]:
    """Numbers of the lines that carry text (not blank, not a rule, not a `> Topic:` preamble line)."""
    numbers = []
    for offset, line in enumerate(lines):
        match = _PREAMBLE.match(line)
        if line.strip() and not is_separator(line) and not (match and match.group(1).lower() == "topic"):
            numbers.append(first + offset)
    return numbers
