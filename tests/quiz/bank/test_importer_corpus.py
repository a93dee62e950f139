"""The importer on a corpus of small files, one per structure people write (tests/quiz/bank/data/import_corpus), and
the property that no non-blank line of a text file is silently dropped: each line's words end up in a question, an
answer, a topic or title, or a warning names its line."""

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.bank.services.importer import ParsedFile, QAFormatError, qa_file_parse, qa_text_parse
from quiz.bank.services.importer.labels import GENERIC_DETAIL_LABELS, label_of

CORPUS = Path(__file__).parent / "data" / "import_corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
TEXT_FORMATS = {"markdown-headings", "markdown-qa", "flashcards"}  # JSON and TSV are checked field by field
_WORD = re.compile(r"[a-z0-9]+")
# Markup around questions and answers: numbering, Q/A labels, list bullets, fences. Not content.
_LEADING_MARKUP = {"q", "question", "a", "ans", "answer", "python", "text", "md"}


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def content_words(line: str) -> list[str]:
    """The line's words without the leading numbering and labels that the importer treats as markup."""
    label = label_of(line)
    if label and not label[1].strip() and GENERIC_DETAIL_LABELS.match(label[0]):
        return []  # "**Reasoning & Deep Dive:**" only says that the details start
    line = re.sub(r"^\s*>\s*\**\s*topic\s*\**\s*:", " ", line, flags=re.IGNORECASE)  # the `> **Topic**:` key
    line = re.sub(r"\(\s*\d+\s+questions?\s*\)\s*$", " ", line, flags=re.IGNORECASE)  # a section's count
    found = words(re.sub(r"!\[[^\]]*\]\(data:[^)]*\)", " ", line))
    while found and (found[0] in _LEADING_MARKUP or found[0].isdigit() or re.fullmatch(r"q\d+", found[0])):
        found.pop(0)
    return found


def lines_unaccounted(text: str, parsed: ParsedFile) -> list[int]:
    """Line numbers whose words appear nowhere in what was kept, and that no warning names."""
    kept = " ".join(
        words(" ".join([parsed.title, *(f"{q.topic} {q.question} {q.answer} {q.details}" for q in parsed.questions)]))
    )
    named: set[int] = set()
    for warning in parsed.warnings:
        named.update(int(n) for n in re.findall(r":(\d+):", warning))
        for listed in re.findall(r"\(lines ([\d, ]+)\)", warning):
            named.update(int(n) for n in listed.split(","))
    missing = []
    for number, line in enumerate(text.splitlines(), start=1):
        sequence = " ".join(content_words(line))
        if sequence and number not in named and f" {sequence} " not in f" {kept} ":
            missing.append(number)
    return missing


def answer_ends(answer: str) -> tuple[str, str]:
    tokens = answer.split()
    return " ".join(tokens[:2]), " ".join(tokens[-2:])


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_file_gives_exactly_the_expected_questions_answers_and_warnings(name):
    expected = EXPECTED[name]
    parsed = qa_file_parse(path=CORPUS / name)
    assert parsed.format == expected["format"]
    assert parsed.title == expected.get("title", "")
    assert [q.question for q in parsed.questions] == [item["q"] for item in expected["questions"]]
    for entry, item in zip(parsed.questions, expected["questions"], strict=True):
        first, last = answer_ends(entry.answer)
        assert first.startswith(item["first"]) and entry.answer.rstrip().endswith(item["last"]), (entry.question, first)
        assert entry.topic == item.get("topic", "")
    assert len(parsed.warnings) == len(expected["warnings"])
    for warning, part in zip(parsed.warnings, expected["warnings"], strict=True):
        assert part in warning


@pytest.mark.parametrize("name", sorted(n for n, e in EXPECTED.items() if e["format"] in TEXT_FORMATS))
def test_no_line_of_a_corpus_file_is_silently_dropped(name):
    path = CORPUS / name
    assert lines_unaccounted(path.read_text(encoding="utf-8"), qa_file_parse(path=path)) == []


def test_no_line_of_a_material_file_is_silently_dropped(material_dir):
    for path in sorted(material_dir.glob("*.txt")):
        parsed = qa_file_parse(path=path)
        if parsed.format in TEXT_FORMATS:
            assert lines_unaccounted(path.read_text(encoding="utf-8"), parsed) == [], path.name


def test_a_code_comment_inside_an_answer_is_never_a_heading():
    parsed = qa_file_parse(path=CORPUS / "c05-code-comments.md")
    assert "# positions above the diagonal are the future" in parsed.questions[0].answer
    assert len(parsed.questions) == 2


def test_data_uri_images_never_reach_the_card():
    parsed = qa_file_parse(path=CORPUS / "c06-data-uri.md")
    assert all("data:" not in q.answer and "base64" not in q.answer for q in parsed.questions)


# --- property: random files built from the structures above ---------------------------------------------------

_SENTENCE = st.lists(st.sampled_from("alpha beta gamma delta tokens layer softmax keys values heads".split()),
                     min_size=2, max_size=7).map(" ".join)  # fmt: skip
_QUESTION = _SENTENCE.map(lambda s: f"What is {s}?")


def _fragment(draw) -> list[str]:
    kind = draw(st.sampled_from(["heading-q", "bold-q", "label-q", "answer", "answer-label", "subheading", "list",
                                 "code", "section", "data-uri", "blank", "plain-q"]))  # fmt: skip
    number = draw(st.integers(1, 30))
    level = "#" * draw(st.integers(1, 4))
    if kind == "heading-q":
        return [f"{level} {number}. {draw(_QUESTION)}"]
    if kind == "bold-q":
        return [f"**{number}. {draw(st.sampled_from(['Question: ', 'Q: ', '']))}{draw(_QUESTION)}**"]
    if kind == "label-q":
        return [f"Q: {draw(_QUESTION)}"]
    if kind == "answer":
        return [draw(_SENTENCE).capitalize() + "."]
    if kind == "answer-label":
        return [f"{draw(st.sampled_from(['**Answer:**', 'Ans:', 'A:', '**Ans -**']))} {draw(_SENTENCE)}."]
    if kind == "subheading":
        return [f"{level} {draw(_SENTENCE).capitalize()}:"]
    if kind == "list":
        return [f"- {draw(_SENTENCE)}", f"- {draw(_SENTENCE)}"]
    if kind == "code":
        return ["```python", f"# {draw(_SENTENCE)}", "x = 1", "```"]
    if kind == "section":
        return [f"**{draw(_SENTENCE).title()}:**"]
    if kind == "data-uri":
        return [f"{draw(_SENTENCE)} ![f](data:image/png;base64,iVBORw0KGgo=) {draw(_SENTENCE)}."]
    if kind == "plain-q":
        return [f"{number}. {draw(_QUESTION)}"]
    return [""]


@st.composite
def qa_files(draw) -> str:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 14))):
        lines += _fragment(draw)
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(qa_files())
def test_property_any_mix_of_structures_is_imported_or_refused_and_no_line_is_silently_dropped(text):
    try:
        parsed = qa_text_parse(text=text, path="notes.md")
    except QAFormatError as error:  # refused with file:line, which is allowed
        assert str(error).startswith("notes.md:")
        return
    if parsed.format in TEXT_FORMATS:
        assert lines_unaccounted(text, parsed) == []
