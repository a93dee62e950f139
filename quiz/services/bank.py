"""The bundled question bank: YAML files under quiz/bank/, one per topic, loaded idempotently."""

from dataclasses import dataclass, field
from pathlib import Path

import yaml
from django.db import transaction

from demos.kinds import KINDS
from quiz.models import Card, CardSource, Topic

BANK_DIR = Path(__file__).resolve().parent.parent / "bank"
DEMO_SLUGS = frozenset(KINDS)  # what a card's `demo:` may name
_REQUIRED = ("slug", "question", "answer", "key_points", "difficulty")


class BankError(ValueError):
    """A bank file that cannot be loaded; the message names the file and the card."""


@dataclass
class BankReport:
    topics: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


def _card_errors(card: dict, where: str) -> list[str]:
    errors = [f"{where}: missing '{name}'" for name in _REQUIRED if not card.get(name)]
    if card.get("difficulty") not in (1, 2, 3):
        errors.append(f"{where}: difficulty must be 1, 2 or 3")
    if not 3 <= len(card.get("key_points") or []) <= 6:
        errors.append(f"{where}: needs 3 to 6 key points")
    if card.get("demo") and card["demo"] not in DEMO_SLUGS:
        errors.append(f"{where}: unknown demo '{card['demo']}'")
    return errors


def bank_files_read(*, bank_dir: Path = BANK_DIR) -> list[tuple[Path, dict]]:
    """Every bank file parsed and checked; raises BankError listing every problem found."""
    files, errors, seen = [], [], {}
    for path in sorted(bank_dir.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            errors.append(f"{path.name}: {exc}")
            continue
        if not (data.get("topic") or {}).get("slug"):
            errors.append(f"{path.name}: missing topic.slug")
        for index, card in enumerate(data.get("cards") or []):
            where = f"{path.name}: card {index + 1} ({card.get('slug', '?')})"
            errors += _card_errors(card, where)
            if card.get("slug") in seen:
                errors.append(f"{where}: slug also used in {seen[card['slug']]}")
            seen[card.get("slug")] = path.name
        files.append((path, data))
    if errors:
        raise BankError("\n".join(errors))
    return files


def _card_fields(card: dict, topic: Topic) -> dict:
    return {
        "topic": topic,
        "question": card["question"].strip(),
        "answer": card["answer"].strip(),
        "key_points": [str(point).strip() for point in card["key_points"]],
        "details": (card.get("details") or "").strip(),
        "difficulty": card["difficulty"],
        "tags": list(card.get("tags") or []),
        "demo_slug": card.get("demo") or "",
        "demo_params": card.get("demo_params") or {},
        "origin": Card.Origin.BANK,
    }


@transaction.atomic
def bank_load(*, bank_dir: Path = BANK_DIR) -> BankReport:
    """Create or update every topic and card of the bank; running it twice changes nothing."""
    report = BankReport()
    for position, (_path, data) in enumerate(bank_files_read(bank_dir=bank_dir)):
        spec = data["topic"]
        topic, _ = Topic.objects.update_or_create(
            slug=spec["slug"],
            defaults={"name": spec.get("name", spec["slug"]), "description": spec.get("description", ""),
                      "position": spec.get("position", position)},
        )  # fmt: skip
        report.topics += 1
        existing = {card.slug: card for card in Card.objects.filter(slug__in=[c["slug"] for c in data["cards"]])}
        for card_spec in data["cards"]:
            fields = _card_fields(card_spec, topic)
            card = existing.get(card_spec["slug"])
            if card is None:
                card = Card.objects.create(slug=card_spec["slug"], **fields)
                report.created += 1
            elif any(getattr(card, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(card, name, value)
                card.save()
                report.updated += 1
            else:
                report.unchanged += 1
            _coverage_sync(card, card_spec.get("covers") or [])
    return report


def _coverage_sync(card: Card, fingerprints: list[str]) -> None:
    """Bank coverage rows (source="") mirror the card's `covers` list exactly."""
    wanted = set(fingerprints)
    have = set(card.sources.filter(source="").values_list("fingerprint", flat=True))
    card.sources.filter(source="", fingerprint__in=have - wanted).delete()
    CardSource.objects.bulk_create([CardSource(card=card, fingerprint=fp, source="") for fp in wanted - have])
