"""Exports of a user's deck (Anki .apkg, Anki-readable CSV) and of their review log (CSV)."""

import csv
import io
import itertools
import os
import sqlite3
import tempfile
import time
import zipfile

import genanki
from django.db.models import QuerySet

from quiz.bank.models import Card
from quiz.bank.services.markdown import markdown_render
from quiz.study.models import StudyReview
from quiz.study.services.anki import GUID_NAMESPACE, anki_scheduling_write
from quiz.study.services.queue import Deck

# Fixed ids: re-importing an export updates the same note type and deck in Anki instead of adding new ones.
ANKI_MODEL_ID = 1_734_052_001
ANKI_DECK_ID = 1_734_052_002
ANKI_DECK_NAME = "AttentionDeck::Transformers & LLMs"
ANKI_CSS = """.card { font-family: system-ui, sans-serif; font-size: 18px; line-height: 1.5; text-align: left;
  color: #1d1f2b; background: #fff; max-width: 42rem; margin: 0 auto; }
.nightMode .card, .card.nightMode { color: #e7e8ef; background: #1d1f29; }
.kp { border-top: 1px solid #dfe1ea; margin-top: 1rem; padding-top: .5rem; }
.topic { color: #5b6072; font-size: 14px; }"""
ANKI_MODEL = genanki.Model(
    ANKI_MODEL_ID,
    "AttentionDeck card",
    # Fields are only ever added at the end: Anki matches an updated note type to the one it has by id and fields.
    fields=[{"name": "Question"}, {"name": "Answer"}, {"name": "Key points"}, {"name": "Topic"}, {"name": "Slug"},
            {"name": "Deeper dive"}],
    templates=[{
        "name": "Card 1",
        "qfmt": '<div class="topic">{{Topic}}</div>{{Question}}',
        "afmt": '{{FrontSide}}<hr id="answer">{{Answer}}{{#Key points}}<div class="kp">{{Key points}}</div>{{/Key points}}'
                '{{#Deeper dive}}<details class="deep"><summary>Deeper dive</summary>{{Deeper dive}}</details>{{/Deeper dive}}',
    }],
    css=ANKI_CSS,
    sort_field_index=0,
)  # fmt: skip


def _deck_cards(*, user, deck: Deck | None) -> QuerySet[Card]:
    cards = Card.objects.in_use().select_related("topic").order_by("topic__position", "id")
    return cards.filter(deck.card_q(user=user)).distinct() if deck else cards


def _key_points_html(card: Card) -> str:
    if not card.key_points:
        return ""
    return "<ul>" + "".join(f"<li>{markdown_render(point)}</li>" for point in card.key_points) + "</ul>"


def _anki_tags(card: Card) -> list[str]:
    tags = [f"topic::{card.topic.slug}"] + [str(tag) for tag in card.tags]
    return [tag.replace(" ", "_") for tag in tags if tag]  # Anki tags are space-separated


def deck_export_apkg(*, user, deck: Deck | None = None, scheduling: bool = True) -> bytes:
    """The deck as an Anki package: one note per card, a GUID from the card's slug (re-import updates notes), and
    with ``scheduling`` the user's due dates, FSRS memory state and review history (quiz.study.services.anki)."""
    anki_deck = genanki.Deck(ANKI_DECK_ID, ANKI_DECK_NAME)
    for card in _deck_cards(user=user, deck=deck):
        fields = [markdown_render(card.question), markdown_render(card.answer), _key_points_html(card),
                  card.topic.name, card.slug, markdown_render(card.details) if card.details else ""]  # fmt: skip
        anki_deck.add_note(genanki.Note(model=ANKI_MODEL, fields=fields, tags=_anki_tags(card),
                                        guid=genanki.guid_for(GUID_NAMESPACE, card.slug)))  # fmt: skip
    package = genanki.Package(anki_deck)
    # genanki's write_to_file leaves its temporary database behind; write the same zip from a folder we remove.
    timestamp = time.time()
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "collection.anki2")
        connection = sqlite3.connect(path)
        package.write_to_db(connection.cursor(), timestamp, itertools.count(int(timestamp * 1000)))
        if scheduling:
            anki_scheduling_write(db=connection, user=user)
        connection.commit()
        connection.close()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.write(path, "collection.anki2")
            archive.writestr("media", "{}")
    return buffer.getvalue()


def deck_export_csv(*, user, deck: Deck | None = None) -> str:
    """CSV with Anki's import header lines (File > Import reads them); other tools can skip lines starting '#'."""
    out = io.StringIO()
    out.write("#separator:Comma\n#html:true\n#notetype:AttentionDeck card\n#deck:" + ANKI_DECK_NAME + "\n")
    out.write("#columns:Question,Answer,Key points,Topic,Slug,Tags\n#tags column:6\n")
    writer = csv.writer(out, lineterminator="\n")
    for card in _deck_cards(user=user, deck=deck):
        writer.writerow([markdown_render(card.question), markdown_render(card.answer), _key_points_html(card),
                         card.topic.name, card.slug, " ".join(_anki_tags(card))])  # fmt: skip
    return out.getvalue()


REVIEW_LOG_COLUMNS = ["review_id", "reviewed_at", "card", "topic", "rating", "rating_name", "duration_ms",
                      "state_before", "state_after", "due_after", "interval_before_days"]  # fmt: skip


def review_log_export_csv(*, user) -> str:
    """Every answer the user gave (undone answers left out), oldest first."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REVIEW_LOG_COLUMNS)
    names = {1: "Again", 2: "Hard", 3: "Good", 4: "Easy"}
    states = dict(StudyReview._meta.get_field("state_before").choices)
    rows = StudyReview.objects.filter(user=user, undone_at__isnull=True).select_related("card__topic")
    for review in rows.order_by("reviewed_at", "id").iterator(chunk_size=2000):
        interval = "" if review.interval_before is None else f"{review.interval_before:.4f}"
        writer.writerow([review.review_id, review.reviewed_at.isoformat(), review.card.slug, review.card.topic.slug,
                         review.rating, names[review.rating], review.duration_ms or "", states[review.state_before],
                         states[review.state_after], review.due_after.isoformat(), interval])  # fmt: skip
    return out.getvalue()
