"""The grader's labelled answers and their one fixed split into a tuning half and a held-out half.

Labelled files: tests/quiz/exams/data/grading_labels.yaml (the first set) and tests/quiz/exams/data/grading/*.yaml; an entry is
{card: slug, good, partial, wrong} and optionally negated, unpunctuated, keywords. A card labelled in both places
keeps the later entry. The split is by a hash of the card slug, so it never depends on file order or on which cards
exist: tests (tuning half for ordering, held-out half for calibration) and bench/grading.py read the same halves.
"""

import hashlib
from pathlib import Path

import yaml

from quiz.bank.models import Card
from quiz.bank.services.bank import bank_files_read
from quiz.bank.services.quiz_items import quiz_items_from_spec

DATA = Path(__file__).resolve().parent / "data"
LABEL_FILES = [DATA / "grading_labels.yaml"]
LABEL_DIR = DATA / "grading"
KINDS = ("good", "partial", "wrong", "negated", "unpunctuated", "keywords")
TUNING, HELD_OUT = "tuning", "held-out"


def label_half(slug: str) -> str:
    """sha1 of the slug, even -> tuning, odd -> held-out."""
    digest = hashlib.sha1(slug.encode(), usedforsecurity=False).hexdigest()  # a stable split, not security
    return TUNING if int(digest, 16) % 2 == 0 else HELD_OUT


def labels_read() -> list[dict]:
    by_card: dict[str, dict] = {}
    for path in [*LABEL_FILES, *sorted(LABEL_DIR.glob("*.yaml"))]:
        for entry in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            by_card[entry["card"]] = {k: (str(v).strip() if k in KINDS else v) for k, v in entry.items()}
    return list(by_card.values())


def labels_half(half: str) -> list[dict]:
    return [entry for entry in labels_read() if label_half(entry["card"]) == half]


def bank_cards() -> dict[str, Card]:
    """Unsaved Card objects for every bank card, by slug (no database needed)."""
    cards = {}
    for _path, data in bank_files_read():
        for spec in data["cards"]:
            cards[spec["slug"]] = Card(slug=spec["slug"], question=spec["question"], answer=spec["answer"].strip(),
                                       key_points=[str(p) for p in spec["key_points"]],
                                       quiz_items=quiz_items_from_spec(spec))  # fmt: skip
    return cards
