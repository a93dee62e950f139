"""Markdown with bold questions (`**Q3. What ...?**`) or plain `Q:` / `A:` lines; headings are topics."""

import re

from .labels import answer_details_split
from .markdown_headings import HEADING, question_like
from .text import is_separator, outside_report, question_clean, question_number, topic_name_clean
from .types import ParsedFile, ParsedQuestion

BOLD_QUESTION = re.compile(r"^\s*(?:\*\*|__)(?P<q>[^*_].*?)(?:\*\*|__)\s*$")
BOLD_Q_LABEL = re.compile(r"^\s*(?:\*\*|__)\s*Q(?:uestion)?\s*\d*\s*[:.)]?\s*(?:\*\*|__)\s*(?P<q>\S.*)$", re.IGNORECASE)
PLAIN_Q = re.compile(r"^\s*Q(?:uestion)?\s*\d*\s*[:.)]\s*(?P<q>\S.*)$", re.IGNORECASE)
_ANSWER_START = re.compile(r"^\s*(?:\*\*|__)?\s*A(?:ns(?:wer)?)?\s*[:.)\-–—]", re.IGNORECASE)


def qa_line_question(line: str) -> str | None:
    """The question a line opens, for bold or `Q:` questions; None for other lines."""
    match = BOLD_Q_LABEL.match(line) or PLAIN_Q.match(line)
    if match:
        return line.strip()
    match = BOLD_QUESTION.match(line)
    if match and question_like(match.group("q")) and not match.group("q").rstrip().endswith(":"):
        return line.strip()
    return None


def markdown_qa_parse(*, text: str, path: str) -> ParsedFile:
    parsed = ParsedFile(path=path, format="markdown-qa")
    topic = ""
    current: ParsedQuestion | None = None
    body: list[str] = []
    question_open = False  # plain `Q:` questions may continue on the next lines until `A:`
    in_fence = False
    outside: list[int] = []  # lines before the first question, headings no question sits under
    pending_topic_line = 0

    def close() -> None:
        if current is not None:
            current.answer, current.details = answer_details_split(body)

    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        heading = None if in_fence else HEADING.match(line)
        opened = None if in_fence or heading else qa_line_question(line)
        if heading:
            close()
            current, body, question_open = None, [], False
            level, name = len(heading.group(1)), heading.group(2)
            if level == 1 and not parsed.questions and not parsed.title:
                parsed.title = topic_name_clean(name)
            else:
                if pending_topic_line:
                    outside.append(pending_topic_line)
                topic, pending_topic_line = topic_name_clean(name), number
        elif opened:
            close()
            body = []
            current = ParsedQuestion(
                question=question_clean(_q_text(opened)),
                topic=topic,
                line=number,
                raw=opened,
                number=question_number(_q_text(opened)),
            )
            parsed.questions.append(current)
            pending_topic_line = 0
            question_open = bool(PLAIN_Q.match(line) or BOLD_Q_LABEL.match(line))
        elif current is not None:
            if question_open and line.strip() and not _ANSWER_START.match(line) and not current.question.endswith("?"):
                current.question = f"{current.question} {line.strip()}"
                current.raw = f"{current.raw}\n{line.strip()}"
                continue
            question_open = False
            body.append(line)
        elif line.strip() and not is_separator(line):
            outside.append(number)
    close()
    outside_report(parsed, outside + ([pending_topic_line] if pending_topic_line else []))
    return parsed


def _q_text(line: str) -> str:
    match = BOLD_Q_LABEL.match(line)
    if match:
        return match.group("q")
    match = BOLD_QUESTION.match(line)
    return match.group("q") if match else line
