"""Authored quiz items (the `mcq` and `statements` of every card in quiz/bank/data/*.yaml): every card has a
well-formed item, and the item cannot be guessed from its wording alone.

Each card carries ``mcq: {answer, distractors, why}`` and ``statements: [{text, true, why}]``.
Two blind strategies are run over every multiple-choice item: pick the longest option, and pick the option that
shares the most content words with the question. A strategy that beats chance by much means the right option gives
itself away; the goal is that neither is right more than 35% of the time (chance is 25% with four options).
"""

import re

import pytest
import yaml

from quiz.bank.services.bank import BANK_DIR

MIN_DISTRACTORS = 3
LENGTH_RATIO = (0.75, 1.33)  # each distractor's length relative to the right option's
GUESS_RATE_MAX = 0.35

STOPWORDS = frozenset(
    """a an the and or but of to in on at by for with from into onto over under than then that this these those is
    are was were be been being it its as if so not no do does did done can could would should will shall may might
    must what which who whom whose why how when where there here their them they we you your our i he she his her
    one each every any all some more most less much many very also only just about between per vs versus e g i e
    use uses used using give gives explain describe compare what's""".split()
)


def content_words(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {word[:-1] if len(word) > 3 and word.endswith("s") else word for word in words if word not in STOPWORDS}


def bank_cards() -> dict[str, dict]:
    """Card slug -> card, over the numbered topic files."""
    cards = {}
    for path in sorted(BANK_DIR.glob("[0-9][0-9]-*.yaml")):
        for card in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cards") or []:
            cards[card["slug"]] = card
    return cards


def authored_items() -> dict[str, dict]:
    """Card slug -> its item (mcq and statements), for every card that carries either."""
    return {
        slug: {key: card.get(key) for key in ("mcq", "statements")}
        for slug, card in bank_cards().items()
        if card.get("mcq") or card.get("statements")
    }


def item_errors(slug: str, item: dict) -> list[str]:
    errors = []
    if set(item) != {"mcq", "statements"}:
        errors.append(f"{slug}: an item has exactly the keys mcq and statements, not {sorted(map(str, item))}")
    mcq = item.get("mcq") or {}
    if set(mcq) != {"answer", "distractors", "why"}:
        errors.append(f"{slug}: mcq has exactly the keys answer, distractors and why")
    if not isinstance(mcq.get("answer"), str) or not mcq["answer"].strip():
        errors.append(f"{slug}: mcq.answer must be a non-empty string")
    distractors, why = mcq.get("distractors") or [], mcq.get("why") or []
    if len(distractors) < MIN_DISTRACTORS or not all(isinstance(d, str) and d.strip() for d in distractors):
        errors.append(f"{slug}: mcq needs at least {MIN_DISTRACTORS} non-empty distractors")
    if len(why) != len(distractors) or not all(isinstance(w, str) and w.strip() for w in why):
        errors.append(f"{slug}: mcq.why needs one non-empty line per distractor")
    if (
        len({d.strip().lower() for d in distractors if isinstance(d, str)} | {str(mcq.get("answer")).lower()})
        != len(distractors) + 1
    ):
        errors.append(f"{slug}: mcq options repeat")
    statements = item.get("statements") or []
    for index, statement in enumerate(statements):
        if set(statement) != {"text", True, "why"}:  # an unquoted comma in a flow mapping splits the text silently
            errors.append(f"{slug}: statement {index + 1} has exactly the keys text, true and why")
        if not isinstance(statement.get("text"), str) or not isinstance(statement.get("why"), str):
            errors.append(f"{slug}: statement {index + 1} needs text and why")
        if not isinstance(statement.get(True), bool):  # YAML 1.1 loads the key `true` as the boolean True
            errors.append(f"{slug}: statement {index + 1} needs `true: true` or `true: false`")
    truths = {statement.get(True) for statement in statements}
    if not {True, False} <= truths:
        errors.append(f"{slug}: statements need at least one true and one false claim")
    return errors


def length_errors(slug: str, item: dict) -> list[str]:
    answer = item["mcq"]["answer"]
    low, high = LENGTH_RATIO
    return [
        f"{slug}: distractor {index + 1} is {len(d) / len(answer):.2f}x the answer's length"
        for index, d in enumerate(item["mcq"]["distractors"])
        if not low <= len(d) / len(answer) <= high
    ]


def guess_rate(pairs: list[tuple[str, dict]], score) -> float:
    """Expected accuracy of picking the highest-scoring option, ties broken at random."""
    total = 0.0
    for question, item in pairs:
        options = [item["mcq"]["answer"], *item["mcq"]["distractors"]]
        scores = [score(question, option) for option in options]
        best = [index for index, value in enumerate(scores) if value == max(scores)]
        total += (0 in best) / len(best)
    return total / len(pairs)


def longest(_question: str, option: str) -> float:
    return len(option)


def most_shared_words(question: str, option: str) -> float:
    return len(content_words(question) & content_words(option))


@pytest.fixture(scope="module")
def cards() -> dict[str, dict]:
    return bank_cards()


@pytest.fixture(scope="module")
def items() -> dict[str, dict]:
    return authored_items()


def test_every_card_has_an_item(cards, items):
    missing = sorted(set(cards) - set(items))
    assert not missing, f"{len(missing)} cards have no quiz item: {', '.join(missing)}"


def test_items_are_well_formed(items):
    errors = [error for slug, item in items.items() for error in item_errors(slug, item)]
    assert not errors, "\n".join(errors)


def test_options_are_of_comparable_length(items):
    errors = [
        error for slug, item in items.items() if not item_errors(slug, item) for error in length_errors(slug, item)
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize("strategy", [longest, most_shared_words], ids=["longest", "most-shared-words"])
def test_blind_strategies_do_not_beat_chance_by_much(cards, items, strategy):
    pairs = [(cards[slug]["question"], item) for slug, item in items.items() if slug in cards]
    assert pairs
    rate = guess_rate(pairs, strategy)
    assert rate <= GUESS_RATE_MAX, f"{strategy.__name__} picks the right option {rate:.0%} of the time"


def test_items_copy_no_material_text(items, material_dir):
    """Items are written in the project's own words: no run of 8 words shared with the Q&A material."""

    def word_runs(text: str, n: int = 8) -> set[str]:
        words = re.findall(r"[a-z0-9]+", text.lower())
        return {" ".join(words[i : i + n]) for i in range(len(words) - n + 1)}

    material = set()
    for path in material_dir.iterdir():
        if path.is_file():
            material |= word_runs(path.read_text(encoding="utf-8", errors="ignore"))
    copied = []
    for slug, item in items.items():
        mcq = item["mcq"]
        texts = [mcq["answer"], *mcq["distractors"], *mcq["why"]]
        texts += [part for statement in item["statements"] for part in (statement["text"], statement["why"])]
        copied += [f"{slug}: {run}" for text in texts for run in sorted(word_runs(text) & material)]
    assert not copied, "\n".join(copied)
