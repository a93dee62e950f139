"""The interview grader, calibrated on a labelled set of answers written for it (tests/quiz/exams/data/grading_labels.yaml).

Real all-MiniLM-L6-v2 embeddings, loaded once for the session; no database (cards are built from the bank files)."""

from pathlib import Path

import pytest
import yaml

from quiz.bank.models import Card
from quiz.bank.services.bank import bank_files_read
from quiz.exams.services.grading import MAX_ANSWER_CHARS, MESSAGE_EMPTY, answer_grade, answers_grade

LABELS = Path(__file__).parent / "data" / "grading_labels.yaml"
MIN_AGREEMENT = 0.90
MIN_CARDS = 30


@pytest.fixture(scope="session")
def encoder():
    from worker.embeddings import texts_embed

    texts_embed(["warm up"])  # load the model once
    return texts_embed


@pytest.fixture(scope="session")
def bank_cards() -> dict[str, Card]:
    cards = {}
    for _path, data in bank_files_read():
        for spec in data["cards"]:
            cards[spec["slug"]] = Card(slug=spec["slug"], question=spec["question"], answer=spec["answer"].strip(),
                                       key_points=[str(p) for p in spec["key_points"]])  # fmt: skip
    return cards


@pytest.fixture(scope="session")
def labels():
    return yaml.safe_load(LABELS.read_text(encoding="utf-8"))


def test_the_labelled_set_covers_enough_bank_cards(labels, bank_cards):
    slugs = [entry["card"] for entry in labels]
    assert len(set(slugs)) == len(slugs) >= MIN_CARDS
    assert not set(slugs) - set(bank_cards), "labelled cards missing from the bank"
    for entry in labels:
        assert all(entry[kind].strip() for kind in ("good", "partial", "wrong")), entry["card"]


def test_the_grader_orders_good_above_partial_above_wrong(labels, bank_cards, encoder, capsys, record_property):
    items = [(entry[kind], bank_cards[entry["card"]]) for entry in labels for kind in ("good", "partial", "wrong")]
    grades = answers_grade(items, embed=encoder)
    triples = [grades[i : i + 3] for i in range(0, len(grades), 3)]
    ordered = [good.score > partial.score > wrong.score for good, partial, wrong in triples]
    agreement = sum(ordered) / len(ordered)
    misses = [f"{entry['card']} ({g.score}/{p.score}/{w.score})"
              for entry, (g, p, w), ok in zip(labels, triples, ordered, strict=True) if not ok]  # fmt: skip
    mean = {
        kind: sum(t[i].score for t in triples) / len(triples) for i, kind in enumerate(("good", "partial", "wrong"))
    }
    line = (f"grader agreement on {len(ordered)} labelled triples: {sum(ordered)}/{len(ordered)} = {agreement:.1%} "
            f"(mean score good {mean['good']:.0f}, partial {mean['partial']:.0f}, wrong {mean['wrong']:.0f}); "
            f"out of order: {', '.join(misses) or 'none'}")  # fmt: skip
    record_property("grader_agreement", round(agreement, 4))
    with capsys.disabled():  # shown in every run, not only with -s
        print("\n" + line)
    assert agreement >= MIN_AGREEMENT, line


def test_an_empty_answer_scores_zero_without_touching_the_model(bank_cards):
    def no_model(texts):
        raise AssertionError("the encoder must not run for an empty answer")

    card = bank_cards["kv-cache-generation"]
    for empty in ("", "   \n\t "):
        grade = answer_grade(empty, card, embed=no_model)
        assert grade.score == 0 and grade.covered == [] and grade.missed == card.key_points
        assert grade.explanation == MESSAGE_EMPTY


def test_the_reference_answer_itself_scores_high_and_covers_most_points(bank_cards, encoder):
    card = bank_cards["kv-cache-generation"]
    grade = answer_grade(card.answer, card, embed=encoder)
    assert grade.score >= 80 and grade.similarity > 0.95
    assert len(grade.covered) >= len(card.key_points) - 1
    assert sorted(grade.covered + grade.missed) == sorted(card.key_points)
    assert f"{len(grade.covered)} of the {len(card.key_points)} key points" in grade.explanation


def test_a_very_long_answer_is_graded_on_its_capped_text(bank_cards, encoder):
    card = bank_cards["speculative-decoding"]
    long = "A small draft model proposes tokens and the target model verifies them. " * 2000
    assert len(long) > 10 * MAX_ANSWER_CHARS
    grade = answer_grade(long, card, embed=encoder)
    assert 0 <= grade.score <= 100 and grade.covered
