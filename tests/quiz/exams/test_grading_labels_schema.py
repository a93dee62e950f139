"""The labelled answer set for the interview grader is well formed: files parse, slugs exist in the bank, classes are
complete, and the set is big enough to split into a tuning half and a held-out half.

Reads the YAML files only (no database, no model), so it runs in well under a second."""

import re
from pathlib import Path

import pytest
import yaml

from quiz.bank.services.bank import bank_files_read

DATA = Path(__file__).parent / "data"
LABEL_FILES = [DATA / "grading_labels.yaml", *sorted((DATA / "grading").glob("*.yaml"))]
REQUIRED = ("good", "partial", "wrong")
EXTRA = ("negated", "unpunctuated", "keywords")
ALLOWED = {"card", *REQUIRED, *EXTRA}
PUNCTUATION = re.compile(r"[.,;:!?]")
MIN_CARDS = 120
MIN_EXTRA_CARDS = 40


def _bank_slugs() -> set[str]:
    return {card["slug"] for _path, data in bank_files_read() for card in data.get("cards") or []}


@pytest.fixture(scope="module")
def entries() -> list[tuple[str, dict]]:
    found = []
    for path in LABEL_FILES:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert isinstance(data, list) and data, f"{path.name}: expected a non-empty list of entries"
        found += [(path.name, entry) for entry in data]
    return found


def test_every_entry_names_a_bank_card_once(entries):
    bank = _bank_slugs()
    seen: dict[str, str] = {}
    problems = []
    for name, entry in entries:
        slug = entry.get("card")
        if slug not in bank:
            problems.append(f"{name}: unknown card {slug!r}")
        if slug in seen:
            problems.append(f"{name}: card {slug!r} already labelled in {seen[slug]}")
        seen[slug] = name
    assert not problems, "\n".join(problems)


def test_every_entry_has_the_three_classes_and_no_unknown_field(entries):
    problems = []
    for name, entry in entries:
        where = f"{name}: {entry.get('card')}"
        problems += [f"{where}: empty or missing {key!r}" for key in REQUIRED if not str(entry.get(key) or "").strip()]
        problems += [f"{where}: unknown field {key!r}" for key in set(entry) - ALLOWED]
        problems += [f"{where}: empty {key!r}" for key in EXTRA if key in entry and not str(entry[key] or "").strip()]
        if len({str(entry.get(key, "")).strip() for key in REQUIRED}) < len(REQUIRED):
            problems.append(f"{where}: two classes share the same text")
    assert not problems, "\n".join(problems)


def test_unpunctuated_answers_carry_no_punctuation(entries):
    problems = [f"{name}: {entry['card']}: {PUNCTUATION.findall(entry['unpunctuated'])}" for name, entry in entries
                if "unpunctuated" in entry and PUNCTUATION.search(entry["unpunctuated"])]  # fmt: skip
    assert not problems, "\n".join(problems)


def test_negated_answers_differ_from_the_good_ones(entries):
    same = [entry["card"] for _name, entry in entries if "negated" in entry and entry["negated"] == entry["good"]]
    assert not same, f"negated answer equal to the good one: {same}"


def test_the_set_is_big_enough_to_split(entries):
    cards = {entry["card"] for _name, entry in entries}
    full = {entry["card"] for _name, entry in entries if all(key in entry for key in EXTRA)}
    assert len(cards) >= MIN_CARDS, f"{len(cards)} labelled cards, need {MIN_CARDS}"
    assert len(full) >= MIN_EXTRA_CARDS, f"{len(full)} cards with {EXTRA}, need {MIN_EXTRA_CARDS}"
