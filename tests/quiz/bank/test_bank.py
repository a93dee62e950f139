"""The bundled bank: loads cleanly and idempotently, covers every material question, copies no text."""

import re
from pathlib import Path

import pytest

from quiz.bank.models import Card, CardSource
from quiz.bank.services.bank import bank_files_read, bank_load
from quiz.bank.services.fingerprint import question_fingerprint
from quiz.bank.services.importer import qa_file_parse

SHARED_WORDS = 8  # a run of this many words shared with the material counts as copied


def _material_files(material_dir: Path) -> list[Path]:
    return sorted(path for path in material_dir.iterdir() if path.is_file())


def _word_runs(text: str, n: int = SHARED_WORDS) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}


def _bank_cards() -> list[dict]:
    return [card for _path, data in bank_files_read() for card in data["cards"]]


def test_bank_files_are_valid():
    cards = _bank_cards()
    assert len(cards) >= 150
    assert len({card["slug"] for card in cards}) == len(cards)


def test_every_material_question_maps_to_exactly_one_card(material_dir):
    covered: dict[str, list[str]] = {}
    for card in _bank_cards():
        for fingerprint in card.get("covers") or []:
            covered.setdefault(fingerprint, []).append(card["slug"])
    material = {
        question_fingerprint(entry.question): f"{path.name}:{entry.line}"
        for path in _material_files(material_dir)
        for entry in qa_file_parse(path=path).questions
    }
    missing = {fp: where for fp, where in material.items() if fp not in covered}
    assert not missing, f"material questions without a card: {missing}"
    assert not {fp: slugs for fp, slugs in covered.items() if len(slugs) > 1}
    assert set(covered) <= set(material), "a card covers a fingerprint that no material question has"


def test_bank_has_at_least_40_cards_beyond_the_material():
    assert sum(1 for card in _bank_cards() if not card.get("covers")) >= 40


def test_bank_text_is_written_in_its_own_words(material_dir):
    material = set().union(*(_word_runs(p.read_text(errors="ignore")) for p in _material_files(material_dir)))
    copied = {}
    for card in _bank_cards():
        text = " ".join([card["answer"], card.get("details") or "", *map(str, card["key_points"])])
        if shared := _word_runs(text) & material:
            copied[card["slug"]] = sorted(shared)[:2]
    assert not copied, f"cards sharing {SHARED_WORDS}-word runs with the material: {copied}"


@pytest.mark.django_db
def test_load_bank_twice_changes_nothing_the_second_time():
    first = bank_load()
    second = bank_load()
    assert first.created == Card.objects.count() >= 150
    assert (second.created, second.updated) == (0, 0) and second.unchanged == first.created
    covers = sum(len(card.get("covers") or []) for card in _bank_cards())
    assert CardSource.objects.filter(source="").count() == covers
