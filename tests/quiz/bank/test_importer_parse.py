"""Pure parsing of Q&A files: format detection, each format family, broken inputs (no database)."""

import json

import pytest

from quiz.bank.services.fingerprint import question_fingerprint
from quiz.bank.services.importer import (
    QAFormatError,
    qa_file_parse,
    qa_format_detect,
    qa_near_duplicates,
    qa_text_parse,
)
from quiz.bank.services.importer.parse import MESSAGE_UNANSWERED
from tests.quiz.conftest import MATERIAL_COUNTS

MATERIAL_FORMATS = {
    "000": "markdown-headings",
    "001": "markdown-headings",
    "002": "markdown-headings",
    "003": "markdown-headings",
    "004": "flashcards",
}


def write(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    return path


@pytest.mark.parametrize("prefix", sorted(MATERIAL_COUNTS))
def test_material_file_parses_to_its_exact_question_count(material_file, prefix):
    parsed = qa_file_parse(path=material_file(prefix))
    assert parsed.format == MATERIAL_FORMATS[prefix]
    assert len(parsed.questions) == MATERIAL_COUNTS[prefix]
    assert all(q.question and q.line > 0 for q in parsed.questions)


def test_material_003_five_pointer_answers_resolve_to_their_target_questions(material_file):
    parsed = qa_file_parse(path=material_file("003"))
    pointers = [q for q in parsed.questions if q.points_to]
    assert len(pointers) == 5
    targets = {question_fingerprint(q.question) for q in parsed.questions if not q.points_to}
    assert all(question_fingerprint(q.points_to) in targets for q in pointers)
    assert {q.topic for q in pointers} == {"Performance Optimization and Model Improvement"}


def test_material_003_numbered_section_headings_are_topics_not_questions(material_file):
    parsed = qa_file_parse(path=material_file("003"))
    topics = {q.topic for q in parsed.questions}
    assert "Fundamentals and Mathematical Models" in topics
    assert "Large Model Fundamentals" in topics
    assert not any("Questions)" in q.question for q in parsed.questions)


def test_material_004_has_two_empty_answers_and_one_question_written_twice(material_file):
    parsed = qa_file_parse(path=material_file("004"))
    empty = [q for q in parsed.questions if not q.answer]
    assert len(empty) == 2
    assert len(parsed.warnings) == 2 and "2 question(s) have no answer (lines 33, 87)" in parsed.warnings[1]
    assert "(lines 1, 2, 3, 4, 5)" in parsed.warnings[0]  # the export tool's header lines
    fingerprints = [question_fingerprint(q.question) for q in parsed.questions]
    assert len(fingerprints) - len(set(fingerprints)) == 1
    assert parsed.questions[0].topic == "Foundation"


def test_material_002_topic_blockquote_preamble_names_the_file_topic(material_file):
    parsed = qa_file_parse(path=material_file("002"))
    assert parsed.title == "LLM Architecture"
    assert parsed.questions[0].question == "Explain the Self-Attention mechanism."


def test_material_001_deep_dive_section_becomes_details(material_file):
    first = qa_file_parse(path=material_file("001")).questions[0]
    assert first.answer.startswith("Self-Attention allows")
    assert "Q, K, V" in first.details and "Reasoning" not in first.details


HEADINGS_MD = """# My Guide

## Attention

### 1. What is attention?
**Answer:** A weighted average.

**Reasoning & Deep Dive:**
Softmax over scores.

---

### Q2: Why scale by sqrt(d)?
→ Keeps softmax unsaturated.

## Decoding

#### Question 3 - What is beam search?
Keeps the k best prefixes.

**Mathematical derivation:**
- score = sum of log-probs
"""


def test_markdown_headings_any_level_and_numbering_with_sections_as_topics(tmp_path):
    parsed = qa_file_parse(path=write(tmp_path, "guide.md", HEADINGS_MD))
    assert parsed.format == "markdown-headings" and parsed.title == "My Guide"
    assert [q.question for q in parsed.questions] == [
        "What is attention?",
        "Why scale by sqrt(d)?",
        "What is beam search?",
    ]
    assert [q.topic for q in parsed.questions] == ["Attention", "Attention", "Decoding"]
    assert [q.answer for q in parsed.questions] == [
        "A weighted average.",
        "Keeps softmax unsaturated.",
        "Keeps the k best prefixes.",
    ]
    assert parsed.questions[0].details == "Softmax over scores."
    assert parsed.questions[2].details.startswith("**Mathematical derivation:**")
    assert [q.line for q in parsed.questions] == [5, 13, 18]


def test_markdown_heading_without_answer_is_a_question_awaiting_an_answer(tmp_path):
    text = "## 1. What is a token?\n\n## 2. What is a vocabulary?\nThe set of tokens.\n"
    parsed = qa_file_parse(path=write(tmp_path, "t.md", text))
    assert [q.answer for q in parsed.questions] == ["", "The set of tokens."]
    assert parsed.warnings == [MESSAGE_UNANSWERED.format(path=tmp_path / "t.md", line=1, count=1, lines="1")]


def test_markdown_code_fence_comments_are_not_headings(tmp_path):
    text = "## 1. Show a layer\n```python\n# not a heading\nx = 1\n```\n## 2. Next?\nYes.\n"
    parsed = qa_file_parse(path=write(tmp_path, "c.md", text))
    assert len(parsed.questions) == 2 and "# not a heading" in parsed.questions[0].answer


def test_markdown_bold_questions_under_section_headings(tmp_path):
    text = (
        "# Deck\n\n## Attention\n\n**Q3. What is a head?**\nOne attention subspace.\n\n**Q4. Why several heads?**\n"
        "**Answer:** Different relations.\n\n## Training\n\n**What is dropout?**\nRandom zeroing.\n\n**Note**\nnot a question\n"
    )
    parsed = qa_file_parse(path=write(tmp_path, "bold.md", text))
    assert parsed.format == "markdown-qa"
    assert [(q.question, q.topic, q.number) for q in parsed.questions] == [
        ("What is a head?", "Attention", 3),
        ("Why several heads?", "Attention", 4),
        ("What is dropout?", "Training", None),
    ]
    assert parsed.questions[1].answer == "Different relations."
    assert parsed.questions[2].answer == "Random zeroing.\n\n**Note**\nnot a question"


def test_plain_q_and_a_lines_with_multiline_question(tmp_path):
    text = "Q: What does the FFN\ndo per token?\nA: Two linear layers.\n\nQ: What is GELU?\nA: A smooth activation.\nIt gates by value.\n"
    parsed = qa_file_parse(path=write(tmp_path, "qa.txt", text))
    assert parsed.format == "markdown-qa"
    assert [q.question for q in parsed.questions] == ["What does the FFN do per token?", "What is GELU?"]
    assert parsed.questions[1].answer == "A smooth activation.\nIt gates by value."


FLASHCARDS = """1/4
Looks like no tags are added yet.
Name | Mastery | Learn |
|---|
No study sessions yet.
Basics
What is a token?
A unit of text.
What is a vocabulary?
The set of tokens;
with their ids.
Decoding
What is greedy decoding?

What is beam search?
Keeping the k best prefixes.
"""


def test_flashcard_export_skips_tool_header_and_reads_sections(tmp_path):
    parsed = qa_file_parse(path=write(tmp_path, "cards.txt", FLASHCARDS))
    assert parsed.format == "flashcards"
    assert [(q.question, q.topic) for q in parsed.questions] == [
        ("What is a token?", "Basics"),
        ("What is a vocabulary?", "Basics"),
        ("What is greedy decoding?", "Decoding"),
        ("What is beam search?", "Decoding"),
    ]
    assert parsed.questions[1].answer == "The set of tokens;\nwith their ids."
    assert parsed.questions[2].answer == "" and len(parsed.warnings) == 2
    assert "line(s) before the first question skipped" in parsed.warnings[0]


def test_anki_tsv_header_lines_and_tags_column(tmp_path):
    text = (
        "#separator:tab\n#html:true\n#tags column:3\nWhat is RoPE?\tRotates Q/K<br>by position\tpos rope\n"
        '"Multi\tline?"\t"a ""quoted""\nanswer"\t\n'
    )
    parsed = qa_file_parse(path=write(tmp_path, "anki.txt", text))
    assert parsed.format == "tsv"
    first, second = parsed.questions
    assert (first.question, first.answer, first.tags, first.line) == (
        "What is RoPE?",
        "Rotates Q/K\nby position",
        ["pos", "rope"],
        4,
    )
    assert (second.question, second.answer, second.tags, second.line) == ("Multi\tline?", 'a "quoted"\nanswer', [], 5)


def test_quizlet_csv_with_header_row_maps_columns(tmp_path):
    text = 'term,definition,topic\nWhat is LoRA?,Low-rank adapters,Fine-tuning\n"What is QLoRA, briefly?",LoRA on 4-bit weights,Fine-tuning\n'
    parsed = qa_file_parse(path=write(tmp_path, "quizlet.csv", text))
    assert parsed.format == "csv"
    assert [(q.question, q.answer, q.topic, q.line) for q in parsed.questions] == [
        ("What is LoRA?", "Low-rank adapters", "Fine-tuning", 2),
        ("What is QLoRA, briefly?", "LoRA on 4-bit weights", "Fine-tuning", 3),
    ]


def test_json_list_with_optional_fields_and_object_lines(tmp_path):
    data = [
        {"question": "What is MQA?", "answer": "Shared K/V.", "topic": "Efficiency", "tags": ["mqa"]},
        {"question": "What is GQA?", "answer": "Grouped K/V.", "details": "Llama 2 uses it.", "tags": "gqa kv"},
    ]
    parsed = qa_file_parse(path=write(tmp_path, "cards.json", json.dumps(data, indent=2)))
    assert parsed.format == "json"
    assert [(q.question, q.topic, q.tags, q.line) for q in parsed.questions] == [
        ("What is MQA?", "Efficiency", ["mqa"], 2),
        ("What is GQA?", "", ["gqa", "kv"], 10),
    ]
    assert parsed.questions[1].details == "Llama 2 uses it."


def test_json_wrapped_in_an_object_and_detected_without_extension(tmp_path):
    text = '{"questions": [{"q": "What is a KV cache?", "a": "Stored keys and values."}]}'
    parsed = qa_file_parse(path=write(tmp_path, "export.txt", text))
    assert parsed.format == "json" and parsed.questions[0].answer == "Stored keys and values."


@pytest.mark.parametrize(
    ("name", "content", "line", "message"),
    [
        ("bin.txt", b"PK\x03\x04\x00\x00binary", 1, "binary file"),
        ("latin.txt", "## 1. Caf\u00e9?\nyes\n".encode("latin-1"), 1, "not UTF-8"),
        ("empty.txt", b"", 1, "empty file"),
        ("blank.md", b"\n  \n", 1, "empty file"),
        ("prose.txt", b"Just some notes.\nNothing to ask here.\n", 1, "unknown format"),
        ("bad.csv", b'question,answer\nWhat?,fine\n"Unclosed?,oops\n', 3, "malformed CSV"),
        ("one.tsv", b"What?\tYes\nNo tab here\n", 2, "got 1 column"),
        ("bad.json", b'[\n {"question": "A?", "answer": "b"},\n {"question": }\n]', 3, "invalid JSON"),
        ("noq.json", b'[\n {"question": "A?", "answer": "b"},\n {"answer": "c"}\n]', 3, "missing 'question'"),
    ],
)
def test_broken_input_raises_error_naming_file_and_line(tmp_path, name, content, line, message):
    path = write(tmp_path, name, content)
    with pytest.raises(QAFormatError) as caught:
        qa_file_parse(path=path)
    assert caught.value.line == line
    assert str(caught.value).startswith(f"{path}:{line}: ")
    assert message in str(caught.value)


def test_missing_file_is_a_one_line_error(tmp_path):
    with pytest.raises(QAFormatError, match=r"missing\.md:1: cannot read file"):
        qa_file_parse(path=tmp_path / "missing.md")


def test_format_detection_per_family():
    assert qa_format_detect(text="## 1. What?\nYes\n", path="a.txt") == "markdown-headings"
    assert qa_format_detect(text="**Q1. What?**\nYes\n", path="a.txt") == "markdown-qa"
    assert qa_format_detect(text="What?\nYes\nWhy?\nBecause\n", path="a.txt") == "flashcards"
    assert qa_format_detect(text="What?\tYes\nWhy?\tBecause\n", path="a.txt") == "tsv"
    assert qa_format_detect(text="front,back\nWhat?,Yes\n", path="a.txt") == "csv"
    assert qa_format_detect(text='[{"question": "What?"}]', path="a.txt") == "json"


def test_error_string_is_file_line_message():
    assert str(QAFormatError("deck.csv", 7, "empty question")) == "deck.csv:7: empty question"


def test_near_duplicates_listed_by_similarity_and_identical_questions_excluded():
    questions = [
        "What is the KV cache in inference?",
        "What is KV cache during inference?",
        "What is beam search?",
        "what is beam search",
    ]
    pairs = qa_near_duplicates(questions, 0.6)
    assert [(p.first, p.second) for p in pairs] == [(0, 1)]


def test_near_duplicates_similarity_function_can_be_swapped():
    pairs = qa_near_duplicates(["a?", "b?", "c?"], 0.5, similarity=lambda a, b: 1.0 if {a, b} == {"a?", "c?"} else 0.0)
    assert [(p.first, p.second, p.score) for p in pairs] == [(0, 2, 1.0)]


def test_parse_of_text_with_forced_format():
    parsed = qa_text_parse(text="What?\nYes\n", path="mem.txt", format="flashcards")
    assert parsed.questions[0].answer == "Yes"
