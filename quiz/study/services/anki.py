"""Anki both ways: scheduling and review history written into an exported .apkg, and .apkg / .colpkg import.

Anki's collection is SQLite; the fields used here (stable across Anki's schema 11 to 18):

- ``col.crt``: the collection's creation, at the day's rollover; review cards' ``due`` counts days from it.
- ``cards``: ``type`` 0 new / 1 learning / 2 review / 3 relearning; ``queue`` the same, -1 suspended, -2/-3
  buried, 3 learning across days; ``due`` a position (new), epoch seconds (queue 1) or a day number (2, 3);
  ``ivl`` days; ``factor`` ease x1000; ``data`` JSON holding FSRS's memory state (``s``, ``d``, ``dr``, ``lrt``).
- ``revlog``: ``id`` the answer time in ms, ``ease`` 1-4, ``ivl``/``lastIvl`` days (negative: seconds), ``time``
  ms, ``type`` 0 learn / 1 review / 2 relearn / 3 filtered / 4 manual / 5 rescheduled.

A package from Anki 2.1.50+ holds ``collection.anki21b`` (zstd-compressed), older ones ``collection.anki21`` or
``collection.anki2``; a .colpkg is the same zip. Notes become cards of this app when they are bank cards: by the
Slug field or GUID of this app's own export, or by the question (front field) matching a bank question. The bank is
shared by all learners, so other notes are reported, not added.
"""

import io
import json
import re
import sqlite3
import tempfile
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import genanki
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from fsrs import Card as FsrsCard
from fsrs import Rating
from fsrs import State as FsrsState

from quiz.bank.models import Card
from quiz.bank.services.fingerprint import question_fingerprint
from quiz.study.models import StudyCard, StudyReview, StudySettings
from quiz.study.services.study import study_scheduler, study_settings_get, study_today, study_zone

State = StudyCard.State
GUID_NAMESPACE = "attentiondeck"
DEFAULT_FACTOR = 2500
MAX_PACKAGE_BYTES = 200 * 1024 * 1024  # a package is unzipped in memory: refuse a zip bomb
COLLECTION_NAMES = ("collection.anki21b", "collection.anki21", "collection.anki2")
_REVIEW_NAMESPACE = uuid.UUID("0b6c3c4e-7d1f-4f55-9a43-3f1e2a6b9c10")  # review ids of imported answers

ERROR_NOT_PACKAGE = "That file is not an Anki package (.apkg or .colpkg)."
ERROR_TOO_BIG = "That package is too large to import (over 200 MB unpacked)."
ERROR_UNREADABLE = "The collection inside that package could not be read."


class AnkiImportError(ValueError):
    """A package that cannot be imported; the message is shown as is."""


# --- Export ----------------------------------------------------------------------------------------------------


def _anki_days(*, settings: StudySettings, moment: datetime, today) -> int:
    """Days from today (the user's study day) to the study day of ``moment``: Anki's review ``due`` when the
    collection's day 0 is today."""
    zone = study_zone(settings=settings)
    local = (moment.astimezone(zone) - timedelta(hours=settings.day_start_hour)).date()
    return (local - today).days


def _ivl(seconds: float) -> int:
    """Anki's interval: whole days, or negative seconds under a day."""
    return round(seconds / 86400) if seconds >= 86400 else -max(round(seconds), 1)


def anki_scheduling_write(*, db: sqlite3.Connection, user, now: datetime | None = None) -> dict:
    """Write the user's scheduling and review history into a genanki-made collection (cards matched by GUID).

    The collection's day 0 is the user's current study day, so a card due in 3 days has ``due`` 3."""
    now = now or timezone.now()
    settings = study_settings_get(user=user)
    zone = study_zone(settings=settings)
    today = study_today(settings=settings, now=now)
    day_start = datetime.combine(today, time(hour=settings.day_start_hour), tzinfo=zone)
    db.execute("UPDATE col SET crt = ?", [int(day_start.timestamp())])
    guid_to_cid = dict(db.execute("SELECT notes.guid, cards.id FROM cards JOIN notes ON notes.id = cards.nid"))
    rows = StudyCard.objects.filter(user=user).exclude(state=State.NEW).select_related("card")
    written, reviews = 0, 0
    cid_of = {}
    for study_card in rows:
        cid = guid_to_cid.get(genanki.guid_for(GUID_NAMESPACE, study_card.card.slug))
        if cid is None:
            continue
        cid_of[study_card.pk] = cid
        fcard = FsrsCard.from_dict(study_card.fsrs)
        kind = {State.LEARNING: 1, State.REVIEW: 2, State.RELEARNING: 3}[study_card.state]
        if kind == 2:
            queue, due = 2, _anki_days(settings=settings, moment=study_card.due, today=today)
        elif study_card.due < day_start + timedelta(days=1):
            queue, due = 1, int(study_card.due.timestamp())
        else:  # a learning step that ends on a later day
            queue, due = 3, _anki_days(settings=settings, moment=study_card.due, today=today)
        if study_card.suspended:
            queue = -1
        elif study_card.buried_until and study_card.buried_until > now:
            queue = -3
        last = fcard.last_review or study_card.due
        ivl = max(round((study_card.due - last).total_seconds() / 86400), 1) if kind == 2 else 0
        data = {"s": round(fcard.stability or 0, 4), "d": round(fcard.difficulty or 0, 4),
                "dr": settings.desired_retention, "lrt": int(last.timestamp())}  # fmt: skip
        db.execute(
            "UPDATE cards SET type=?, queue=?, due=?, ivl=?, factor=?, reps=?, lapses=?, left=0, data=?, mod=? "
            "WHERE id=?",
            [kind, queue, due, ivl, DEFAULT_FACTOR, study_card.reps, study_card.lapses, json.dumps(data),
             int(now.timestamp()), cid],
        )  # fmt: skip
        written += 1
    answers = StudyReview.objects.filter(user=user, undone_at__isnull=True, study_card_id__in=list(cid_of))
    used = set()
    for review in answers.order_by("reviewed_at", "id"):
        revlog_id = int(review.reviewed_at.timestamp() * 1000)
        while revlog_id in used:  # the id is the primary key: two answers in the same millisecond
            revlog_id += 1
        used.add(revlog_id)
        kind = {State.NEW: 0, State.LEARNING: 0, State.REVIEW: 1, State.RELEARNING: 2}[review.state_before]
        last_ivl = _ivl(review.interval_before * 86400) if review.interval_before else 0
        db.execute(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) VALUES (?,?,?,?,?,?,?,?,?)",
            [revlog_id, cid_of[review.study_card_id], -1, review.rating,
             _ivl((review.due_after - review.reviewed_at).total_seconds()), last_ivl, DEFAULT_FACTOR,
             min(review.duration_ms or 0, 60_000), kind],
        )  # fmt: skip
        reviews += 1
    return {"cards": written, "reviews": reviews}


# --- Import ----------------------------------------------------------------------------------------------------


@dataclass
class AnkiImportReport:
    notes: int = 0
    matched: int = 0
    scheduled: int = 0  # cards that came with scheduling
    reviews: int = 0  # review-history entries added
    unmatched: list[str] = field(default_factory=list)  # fronts of notes that are not bank cards (first few)
    unmatched_count: int = 0


def _collection_bytes(package: bytes) -> bytes:
    try:
        archive = zipfile.ZipFile(io.BytesIO(package))
        names = set(archive.namelist())
    except zipfile.BadZipFile as error:
        raise AnkiImportError(ERROR_NOT_PACKAGE) from error
    name = next((n for n in COLLECTION_NAMES if n in names), None)
    if name is None:
        raise AnkiImportError(ERROR_NOT_PACKAGE)
    if archive.getinfo(name).file_size > MAX_PACKAGE_BYTES:
        raise AnkiImportError(ERROR_TOO_BIG)
    data = archive.read(name)
    if name.endswith("21b"):
        import zstandard

        reader = zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data))
        data = reader.read(MAX_PACKAGE_BYTES + 1)
        if len(data) > MAX_PACKAGE_BYTES:
            raise AnkiImportError(ERROR_TOO_BIG)
    return data


def _fields_by_model(db: sqlite3.Connection) -> dict[int, list[str]]:
    """Note type id -> field names: the ``fields`` table (schema 18) or the ``col.models`` JSON (older)."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if "fields" in tables:
        out: dict[int, list[str]] = {}
        for ntid, name in db.execute("SELECT ntid, name FROM fields ORDER BY ntid, ord"):
            out.setdefault(ntid, []).append(name)
        return out
    models = json.loads(db.execute("SELECT models FROM col").fetchone()[0] or "{}")
    return {int(mid): [f["name"] for f in sorted(m["flds"], key=lambda f: f["ord"])] for mid, m in models.items()}


def _bank_index() -> tuple[dict[str, int], dict[str, int], dict[str, int]]:
    by_slug, by_guid, by_print = {}, {}, {}
    for pk, slug, question in Card.objects.in_use().values_list("pk", "slug", "question"):
        by_slug[slug] = pk
        by_guid[genanki.guid_for(GUID_NAMESPACE, slug)] = pk
        by_print[question_fingerprint(question)] = pk
    return by_slug, by_guid, by_print


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", strip_tags(html or "")).strip()


def _revlog_state(kind: int, first: bool) -> int | None:
    if kind == 0:
        return State.NEW if first else State.LEARNING
    return {1: State.REVIEW, 2: State.RELEARNING, 3: State.REVIEW}.get(kind)


def _ivl_delta(ivl: int) -> timedelta:
    return timedelta(days=ivl) if ivl > 0 else timedelta(seconds=-ivl)


def anki_package_import(*, user, package: bytes, now: datetime | None = None) -> AnkiImportReport:
    """Import an Anki package into the user's study: scheduling and review history of the notes that are bank
    cards. Importing the same package again changes nothing (answers are recognised by their Anki ids)."""
    now = now or timezone.now()
    data = _collection_bytes(package)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "collection.sqlite"
        path.write_bytes(data)
        db = sqlite3.connect(path)
        try:
            return _import(user=user, db=db, now=now)
        except sqlite3.DatabaseError as error:
            raise AnkiImportError(ERROR_UNREADABLE) from error
        finally:
            db.close()


@transaction.atomic
def _import(*, user, db: sqlite3.Connection, now: datetime) -> AnkiImportReport:
    settings = study_settings_get(user=user)
    zone = study_zone(settings=settings)
    today = study_today(settings=settings, now=now)
    crt = db.execute("SELECT crt FROM col").fetchone()[0]
    anki_today = int((now.timestamp() - crt) // 86400)
    fields = _fields_by_model(db)
    by_slug, by_guid, by_print = _bank_index()
    report = AnkiImportReport()
    note_card: dict[int, int] = {}
    for nid, guid, mid, flds in db.execute("SELECT id, guid, mid, flds FROM notes"):
        report.notes += 1
        values = flds.split("\x1f")
        named = dict(zip(fields.get(mid, []), values, strict=False))
        front = _plain(values[0]) if values else ""
        pk = (
            by_slug.get(_plain(named.get("Slug", ""))) or by_guid.get(guid) or by_print.get(question_fingerprint(front))
        )
        if pk is None:
            report.unmatched_count += 1
            if len(report.unmatched) < 10:
                report.unmatched.append(front[:120])
            continue
        note_card[nid] = pk
        report.matched += 1

    scheduler = study_scheduler(settings=settings)
    rows = db.execute("SELECT id, nid, type, queue, due, ivl, factor, reps, lapses, data, odue FROM cards "
                      "ORDER BY nid, ord")  # fmt: skip
    for cid, nid, kind, queue, due, ivl, factor, reps, lapses, data, odue in rows.fetchall():
        pk = note_card.pop(nid, None)  # one card per note: the first template (a reversed card is the same fact)
        if pk is None or kind == 0:
            continue
        log = db.execute("SELECT id, ease, ivl, lastIvl, time, type FROM revlog WHERE cid = ? ORDER BY id", [cid])
        log = [row for row in log.fetchall() if 1 <= row[1] <= 4 and row[5] in (0, 1, 2, 3)]
        memory = json.loads(data or "{}") if (data or "").startswith("{") else {}
        due = odue or due  # a card in a filtered deck keeps its home due in odue
        if kind == 2 or queue in (2, 3):
            day = today + timedelta(days=due - anki_today)
            due_at = datetime.combine(day, time(hour=settings.day_start_hour), tzinfo=zone).astimezone(UTC)
        else:
            due_at = datetime.fromtimestamp(due, UTC)
        last = (datetime.fromtimestamp(log[-1][0] / 1000, UTC) if log else
                datetime.fromtimestamp(memory["lrt"], UTC) if memory.get("lrt") else due_at - timedelta(days=ivl))  # fmt: skip
        fcard = FsrsCard(card_id=pk, state=FsrsState(kind), step=0 if kind != 2 else None, due=due_at, last_review=last)
        if memory.get("s"):
            fcard.stability, fcard.difficulty = float(memory["s"]), float(memory.get("d") or 5.0)
        else:  # no FSRS memory state (SM-2 era): replay the history, else read it off the interval and ease
            replay = FsrsCard(card_id=pk, due=last)
            for revlog_id, ease, *_ in log:
                replay, _ = scheduler.review_card(replay, Rating(ease), datetime.fromtimestamp(revlog_id / 1000, UTC))
            fcard.stability = replay.stability if log and replay.stability else float(max(ivl, 1))
            fcard.difficulty = replay.difficulty if log and replay.difficulty else _difficulty_from_ease(factor)
        study_card, _ = StudyCard.objects.select_for_update().get_or_create(
            user=user, card_id=pk, defaults={"fsrs": fcard.to_dict(), "due": due_at}
        )
        study_card.fsrs, study_card.state, study_card.due = fcard.to_dict(), kind, due_at
        study_card.stability, study_card.difficulty = fcard.stability, fcard.difficulty
        study_card.lapses, study_card.suspended = lapses, queue == -1
        added = _history_import(user=user, study_card=study_card, log=log)
        study_card.reps = max(reps, StudyReview.objects.filter(study_card=study_card, undone_at__isnull=True).count())
        study_card.save()
        report.scheduled += 1
        report.reviews += added
    return report


def _difficulty_from_ease(factor: int) -> float:
    """SM-2's ease (1.3 to about 3.0, x1000) onto FSRS's difficulty (1 to 10): a low ease is a hard card."""
    ease = (factor or DEFAULT_FACTOR) / 1000
    return min(max(11 - 4 * (ease - 1.3), 1.0), 10.0)


def _history_import(*, user, study_card: StudyCard, log: list) -> int:
    existing = set(StudyReview.objects.filter(user=user, study_card=study_card).values_list("review_id", flat=True))
    new = []
    for index, (revlog_id, ease, ivl, last_ivl, took, kind) in enumerate(log):
        review_id = uuid.uuid5(_REVIEW_NAMESPACE, f"{study_card.card_id}:{revlog_id}")
        if review_id in existing:
            continue
        reviewed_at = datetime.fromtimestamp(revlog_id / 1000, UTC)
        state_after = State.REVIEW if ivl >= 1 else State.RELEARNING if kind in (1, 2) and ease == 1 else State.LEARNING
        new.append(StudyReview(
            user=user, card_id=study_card.card_id, study_card=study_card, review_id=review_id, rating=ease,
            reviewed_at=reviewed_at, duration_ms=took or None, state_before=_revlog_state(kind, index == 0),
            interval_before=(_ivl_delta(last_ivl).total_seconds() / 86400) if last_ivl else None,
            before={}, state_after=state_after, due_after=reviewed_at + _ivl_delta(ivl),
        ))  # fmt: skip
    StudyReview.objects.bulk_create(new)
    return len(new)
