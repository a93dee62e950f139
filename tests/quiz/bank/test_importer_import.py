"""Importing Q&A files into the database: counts, idempotence, rollback, merges, dry run, command."""

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from quiz.bank.models import Card, CardSource, ImportRun, Topic
from quiz.bank.services.fingerprint import question_fingerprint
from quiz.bank.services.importer import QAImportError, qa_import

pytestmark = pytest.mark.django_db

# Per file, in order 000..004: (found, new, updated, unchanged, merged, warnings) on a fresh database.
MATERIAL_FIRST_IMPORT = {
    "000": (48, 48, 0, 0, 0, 0),
    "001": (10, 10, 0, 0, 0, 0),
    "002": (20, 20, 0, 0, 0, 1),  # its title and "Focus" line are not part of any card (reported)
    "003": (48, 43, 0, 0, 5, 0),  # five answers only point to another question
    "004": (79, 76, 0, 0, 3, 2),  # a repeat in the file, two questions already seen in 000 and 002; warnings name
    # the export tool's header lines and the two unanswered questions
}
POINTER_MD = """# Deck

## Basics

### 1. What is a KV cache?
Stored keys and values of past tokens.

## Repeats

### 1. What does the KV cache hold?
**Answer:**
Already covered in Basics section #1.
"""


def counts(file_report):
    f = file_report
    return (f.found, f.new, f.updated, f.unchanged, f.merged, len(f.warnings))


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def material_paths(material_dir):
    return sorted(material_dir.glob("*.txt"))


def test_material_import_counts_per_file(material_dir):
    report = qa_import(paths=material_paths(material_dir))
    assert [counts(f) for f in report.files] == list(MATERIAL_FIRST_IMPORT.values())
    assert Card.objects.filter(origin=Card.Origin.IMPORT).count() == 197
    assert CardSource.objects.count() == 205 - 3  # repeats of the same question in one file share a row
    assert ImportRun.objects.get().status == ImportRun.Status.OK


def test_material_reimport_creates_nothing_new(material_dir):
    qa_import(paths=material_paths(material_dir))
    cards, sources = Card.objects.count(), CardSource.objects.count()
    report = qa_import(paths=material_paths(material_dir))
    assert (Card.objects.count(), CardSource.objects.count()) == (cards, sources)
    assert [(f.new, f.updated, f.merged) for f in report.files] == [(0, 0, 0)] * 5
    assert [f.unchanged for f in report.files] == [48, 10, 20, 48, 79]


def test_material_repeated_question_keeps_the_answer_given_on_its_second_line(material_file):
    qa_import(paths=[material_file("004")])
    card = Card.objects.get(question="How do you evaluate a Transformer on NLP tasks?")
    assert card.answer.startswith("Use task-appropriate metrics")
    assert Card.objects.filter(origin=Card.Origin.IMPORT, answer="").count() == 1


def test_sections_become_topics_and_files_without_sections_use_their_title(material_file):
    qa_import(paths=[material_file("002"), material_file("003")])
    assert Topic.objects.get(slug="llm-architecture").cards.count() == 20
    assert Topic.objects.get(slug="large-model-fundamentals").cards.count() == 5


def test_pointer_answer_merges_into_the_question_it_names(tmp_path):
    report = qa_import(paths=[write(tmp_path, "deck.md", POINTER_MD)])
    assert counts(report.files[0]) == (2, 1, 0, 0, 1, 0)
    card = Card.objects.get()
    assert card.answer == "Stored keys and values of past tokens."
    assert sorted(s.question_text for s in card.sources.all()) == [
        "1. What does the KV cache hold?",
        "1. What is a KV cache?",
    ]


def test_same_question_in_two_files_is_one_card_with_two_sources(tmp_path):
    first = write(tmp_path, "a.md", "## 1. What is RoPE?\nRotary embeddings.\n")
    second = write(tmp_path, "b.txt", "What is RoPE?\nRotates queries and keys.\n")
    report = qa_import(paths=[first, second])
    assert [(f.new, f.merged) for f in report.files] == [(1, 0), (0, 1)]
    card = Card.objects.get()
    assert card.answer == "Rotary embeddings."
    assert sorted(card.sources.values_list("source", "line")) == [("a.md", 1), ("b.txt", 1)]


def test_bad_file_rolls_back_the_whole_run_and_records_a_failed_run(tmp_path):
    good = write(tmp_path, "good.md", "## 1. What is attention?\nWeighted averaging.\n")
    bad = tmp_path / "bad.txt"
    bad.write_bytes("## 1. Caf\u00e9?\n".encode("latin-1"))
    with pytest.raises(QAImportError) as caught:
        qa_import(paths=[good, bad])
    assert str(caught.value) == f"{bad}:1: not UTF-8 text (byte 0xe9); re-save the file as UTF-8"
    assert not Card.objects.exists() and not CardSource.objects.exists() and not Topic.objects.exists()
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.FAILED and f"{bad}:1:" in run.error
    assert run.paths == [str(good), str(bad)]


def test_error_while_storing_rolls_back_and_is_recorded_after_rollback(tmp_path, monkeypatch):
    from quiz.bank.services.importer import store

    def broken_flush(self):
        raise RuntimeError("disk full")

    monkeypatch.setattr(store.CardStore, "flush", broken_flush)
    with pytest.raises(RuntimeError):
        qa_import(paths=[write(tmp_path, "a.md", "## 1. What?\nThat.\n")])
    assert not Card.objects.exists()
    assert ImportRun.objects.get().error == "RuntimeError: disk full"


def test_dry_run_reports_counts_and_writes_no_cards(material_dir):
    report = qa_import(paths=material_paths(material_dir), dry_run=True)
    assert [counts(f) for f in report.files] == list(MATERIAL_FIRST_IMPORT.values())
    assert not Card.objects.exists() and not CardSource.objects.exists() and not Topic.objects.exists()
    run = ImportRun.objects.get()
    assert run.status == ImportRun.Status.DRY_RUN and len(run.report["files"]) == 5


def test_changed_answer_on_reimport_updates_the_card(tmp_path):
    path = write(tmp_path, "a.md", "## 1. What is LoRA?\nLow-rank adapters.\n")
    qa_import(paths=[path])
    path.write_text("## 1. What is LoRA?\nLow-rank updates on frozen weights.\n", encoding="utf-8")
    report = qa_import(paths=[path])
    assert counts(report.files[0]) == (1, 0, 1, 0, 0, 0)
    assert Card.objects.get().answer == "Low-rank updates on frozen weights."


def test_question_covered_by_a_bank_card_merges_into_it_without_changing_it(tmp_path):
    topic = Topic.objects.create(slug="attention", name="Attention")
    bank = Card.objects.create(slug="kv", topic=topic, question="KV cache?", answer="Bank answer.")
    CardSource.objects.create(card=bank, fingerprint=question_fingerprint("What is a KV cache?"))
    report = qa_import(paths=[write(tmp_path, "a.md", "## 1. What is a KV cache?\nOther words.\n")])
    assert counts(report.files[0]) == (1, 0, 0, 0, 1, 0)
    bank.refresh_from_db()
    assert bank.answer == "Bank answer." and bank.sources.count() == 2


def test_card_slugs_are_unique_and_truncated(tmp_path):
    long = "What is " + "very " * 40 + "long?"
    text = f"## 1. {long} One?\nA.\n## 2. {long} Two?\nB.\n"
    qa_import(paths=[write(tmp_path, "a.md", text)])
    slugs = list(Card.objects.values_list("slug", flat=True))
    assert len(slugs) == len(set(slugs)) == 2 and all(len(s) <= 110 for s in slugs)


def test_near_duplicates_are_listed_not_merged(tmp_path):
    text = "## 1. What is the KV cache in inference?\nA.\n## 2. What is KV cache during inference?\nB.\n"
    report = qa_import(paths=[write(tmp_path, "a.md", text)], near_threshold=0.6)
    assert Card.objects.count() == 2
    assert len(report.near_duplicates) == 1 and report.near_duplicates[0]["score"] >= 0.6


def test_command_prints_format_and_counts_per_file(material_dir, capsys):
    call_command("import_qa", *map(str, material_paths(material_dir)))
    out = capsys.readouterr().out
    assert (
        "000_3b1b84a3ff017094.txt: markdown-headings, found 48, new 48, updated 0, unchanged 0, merged 0, warnings 0"
        in out
    )
    assert "flashcards, found 79, new 76, updated 0, unchanged 0, merged 3, warnings 2" in out


def test_command_dry_run_writes_no_cards(tmp_path, capsys):
    call_command("import_qa", str(write(tmp_path, "a.md", "## 1. What?\nThat.\n")), "--dry-run")
    assert "a.md: markdown-headings, found 1, new 1" in capsys.readouterr().out
    assert not Card.objects.exists()


def test_command_bad_files_fail_with_one_line_each_and_no_traceback(tmp_path):
    empty = write(tmp_path, "empty.txt", "")
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(CommandError) as caught:
        call_command("import_qa", str(empty), str(binary))
    assert str(caught.value).splitlines()[1:] == [
        f"{empty}:1: empty file: no questions to import",
        f"{binary}:1: binary file (NUL bytes); expected a UTF-8 text, CSV/TSV or JSON file",
    ]


def test_a_file_of_questions_only_becomes_questions_awaiting_answers_kept_out_of_study(user, user_client):
    from quiz.study.services.queue import study_queue_next
    from tests.quiz.bank.test_importer_corpus import CORPUS

    report = qa_import(paths=[CORPUS / "c03-question-list.md"])
    assert report.files[0].new == 5 and len(report.files[0].warnings) == 1
    waiting = Card.objects.filter(origin=Card.Origin.IMPORT)
    assert all(card.awaiting_answer for card in waiting)
    assert {card.topic.name for card in waiting} == {"Applications of LLMs", "Risks of LLMs"}
    page = user_client.get(reverse("quiz:bank") + "?q=hallucinate").content.decode()
    assert "awaiting an answer" in page and "Why do models hallucinate?" in page
    assert study_queue_next(user=user, limit=50).items == []  # nothing to study until answered
    card = waiting.get(question="Why do models hallucinate?")
    card.answer = "They are trained to continue text plausibly, not to check facts."
    card.save()
    assert [item.card for item in study_queue_next(user=user, limit=50).items] == [card]
