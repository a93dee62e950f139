"""Property tests of the Q&A importer: whatever the bytes, a clear error naming file and line, or an import;
never another exception (on PostgreSQL a NUL byte used to be a DataError traceback).

Budgets (fixed seed, hypothesis derandomize): 200 byte strings and 150 JSON / markdown documents for the parser
(no database), 25 documents through `qa_import` into the database."""

import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quiz.bank.services.importer import QAFormatError, qa_file_parse
from quiz.bank.services.importer.service import QAImportError, qa_import

FAST = settings(max_examples=150, derandomize=True, deadline=None, database=None)
LOCATED = re.compile(r"^.+:\d+: \S")  # "file:line: message"

# Text with the characters that break things: controls, NUL, surrogate-free unicode, markup and separators.
text = st.text(st.characters(codec="utf-8") | st.sampled_from("\x00\x01\x0b\x1b\x7f\t\n\r#*|>-:,\"'"), max_size=60)
entries = st.lists(
    st.fixed_dictionaries({"question": text, "answer": text}, optional={"topic": text, "tags": st.lists(text)}),
    max_size=4,
)
markdown = st.lists(st.tuples(st.sampled_from(["# ", "## ", "Q: ", "A: ", "1. ", "", "**"]), text), max_size=8)


def parse_bytes(tmp_path_factory, data: bytes, suffix: str):
    path = tmp_path_factory.mktemp("qa") / f"file{suffix}"
    path.write_bytes(data)
    try:
        parsed = qa_file_parse(path=path)
    except QAFormatError as error:
        assert LOCATED.match(str(error)), str(error)
        assert error.line >= 1
        return None
    assert parsed.questions
    return parsed


@FAST
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".json", ".md", ".txt", ".csv", ".tsv"]))
def test_any_bytes_parse_or_give_a_located_error(tmp_path_factory, data, suffix):
    parse_bytes(tmp_path_factory, data, suffix)


@FAST
@given(document=entries)
def test_any_json_list_parses_or_gives_a_located_error(tmp_path_factory, document):
    parsed = parse_bytes(tmp_path_factory, json.dumps(document, indent=1).encode(), ".json")
    for entry in parsed.questions if parsed else []:
        assert "\x00" not in entry.question + entry.answer + entry.details + entry.topic


@FAST
@given(lines=markdown)
def test_any_markdown_parses_or_gives_a_located_error(tmp_path_factory, lines):
    parse_bytes(tmp_path_factory, "\n".join(prefix + body for prefix, body in lines).encode(), ".md")


@pytest.mark.django_db
@settings(max_examples=25, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])  # fmt: skip
@given(document=entries)
def test_any_json_document_imports_or_fails_cleanly_in_the_database(tmp_path_factory, document):
    path = tmp_path_factory.mktemp("qa") / "import.json"
    path.write_text(json.dumps(document, indent=1))
    try:
        report = qa_import(paths=[path])
    except QAImportError as error:
        assert all(LOCATED.match(line) for line in error.errors), error.errors
    else:
        assert report.run_id is not None
