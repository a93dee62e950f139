"""The database side of one import: finds each question's card by fingerprint, creates or updates it.

Counting rule, per parsed entry (so found = new + updated + unchanged + merged):
  new       a card was created for it;
  updated   its card (imported from this same file before) got changed content;
  unchanged its source row already existed before this run and nothing changed;
  merged    it was folded into another card: a pointer answer, a repeat inside the file, or the same
            question (fingerprint) already held by a card from another file or the bank.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.text import slugify

from quiz.bank.models import Card, CardSource, ImportRun, Topic
from quiz.bank.services.fingerprint import question_fingerprint

from .types import ParsedFile, ParsedQuestion

DEFAULT_TOPIC = "Imported"
_SLUG_MAX = 100


@dataclass
class FileReport:
    path: str
    source: str
    format: str
    found: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def entry_fingerprint(entry: ParsedQuestion) -> str:
    return question_fingerprint(entry.raw or entry.question)


class CardStore:
    """In-memory indexes over cards and sources, loaded once, so an import does few queries."""

    def __init__(self, *, run: ImportRun | None):
        self.run = run
        self.by_fp: dict[str, Card] = {}
        self.sources_before: set[tuple[int, str, str]] = set()
        self.sources_now: set[tuple[int, str, str]] = set()
        self.owner: dict[int, str] = {}  # card id -> file that first brought it in
        self.slugs = set(Card.objects.values_list("slug", flat=True))
        self.topics = {t.slug: t for t in Topic.objects.all()}
        self.next_position = max((t.position for t in self.topics.values()), default=0) + 1
        self.new_sources: list[CardSource] = []
        cards = Card.objects.in_bulk()
        for _sid, card_id, fp, source in CardSource.objects.order_by("id").values_list(
            "id", "card_id", "fingerprint", "source"
        ):
            self.by_fp.setdefault(fp, cards[card_id])
            self.sources_before.add((card_id, fp, source))
            if source:
                self.owner.setdefault(card_id, source)

    def topic_get(self, name: str) -> Topic:
        name = (name or DEFAULT_TOPIC).strip()[:120]
        slug = slugify(name)[:64].strip("-") or slugify(DEFAULT_TOPIC)
        if slug not in self.topics:
            self.topics[slug] = Topic.objects.create(slug=slug, name=name, position=self.next_position)
            self.next_position += 1
        return self.topics[slug]

    def slug_new(self, question: str) -> str:
        base = slugify(question)[:_SLUG_MAX].strip("-") or "card"
        slug, n = base, 2
        while slug in self.slugs:
            slug, n = f"{base}-{n}", n + 1
        self.slugs.add(slug)
        return slug

    def source_add(self, card: Card, fp: str, source: str, entry: ParsedQuestion) -> bool:
        """Record that `card` answers `fp` as seen in `source`; False when already recorded."""
        key = (card.pk, fp, source)
        if key in self.sources_before or key in self.sources_now:
            return False
        self.sources_now.add(key)
        self.new_sources.append(
            CardSource(
                card=card,
                fingerprint=fp,
                source=source,
                line=entry.line or None,
                question_text=entry.raw or entry.question,
                import_run=self.run,
            )
        )
        return True

    def entry_store(self, entry: ParsedQuestion, *, source: str, topic: str, report: FileReport) -> None:
        fp = entry_fingerprint(entry)
        target_fp = question_fingerprint(entry.points_to) if entry.points_to else fp
        card = self.by_fp.get(target_fp)
        if card is None:
            card = Card.objects.create(
                slug=self.slug_new(entry.question),
                topic=self.topic_get(entry.topic or topic),
                question=entry.question,
                answer=entry.answer,
                details=entry.details,
                tags=entry.tags,
                origin=Card.Origin.IMPORT,
            )
            self.by_fp[fp] = card
            self.owner[card.pk] = source
            self.source_add(card, fp, source, entry)
            report.new += 1
            return
        self.by_fp.setdefault(fp, card)
        existed = (card.pk, fp, source) in self.sources_before
        self.source_add(card, fp, source, entry)
        if not existed:
            self._answer_fill(card, entry)
            report.merged += 1
        elif entry.points_to is None and self._card_update(card, entry, source):
            report.updated += 1
        else:
            report.unchanged += 1

    def _answer_fill(self, card: Card, entry: ParsedQuestion) -> None:
        if (
            card.origin == Card.Origin.IMPORT
            and not card.answer.strip()
            and entry.answer.strip()
            and not entry.points_to
        ):
            card.answer = entry.answer
            card.save(update_fields=["answer", "updated_at"])

    def _card_update(self, card: Card, entry: ParsedQuestion, source: str) -> bool:
        if card.origin != Card.Origin.IMPORT or self.owner.get(card.pk) != source:
            return False
        changes = {"question": entry.question, "details": entry.details, "tags": entry.tags}
        if entry.answer.strip():
            changes["answer"] = entry.answer
        changed = [name for name, value in changes.items() if getattr(card, name) != value]
        for name in changed:
            setattr(card, name, changes[name])
        if changed:
            card.save(update_fields=[*changed, "updated_at"])
        return bool(changed)

    def flush(self) -> None:
        CardSource.objects.bulk_create(self.new_sources)
        self.new_sources = []


def file_repeats_fold(parsed: ParsedFile) -> None:
    """A question repeated inside one file: its first entry takes the first non-empty answer among
    the repeats, so the card is not left empty (the repeats still count, as merged)."""
    first: dict[str, ParsedQuestion] = {}
    for entry in parsed.questions:
        if entry.points_to is None:
            fp = entry_fingerprint(entry)
            if fp in first and not first[fp].answer.strip() and entry.answer.strip():
                first[fp].answer, first[fp].details = entry.answer, entry.details
            first.setdefault(fp, entry)


def source_name(path: str) -> str:
    return Path(path).name[:255]
