"""Exports: the .apkg is an Anki collection with one note per card; CSVs of the deck and the review log."""

import csv
import io
import sqlite3
import uuid
import zipfile

import pytest
from django.urls import reverse

from quiz.study.services.study import card_review

pytestmark = pytest.mark.django_db


def test_apkg_opens_as_an_anki_collection_with_one_note_per_card(user_client, deck_cards, tmp_path):
    deck_cards[0].details = "More on **scaling**."
    deck_cards[0].save()
    response = user_client.get(reverse("quiz:study_export", args=["deck.apkg"]))
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.apkg"')
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"collection.anki2", "media"}
    path = tmp_path / "collection.anki2"
    path.write_bytes(archive.read("collection.anki2"))
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from notes").fetchone()[0] == len(deck_cards)
        assert db.execute("select count(*) from cards").fetchone()[0] == len(deck_cards)
        fields, tags = db.execute("select flds, tags from notes order by id limit 1").fetchone()
    question, answer, key_points, topic, slug, deeper = fields.split("\x1f")
    assert "Question 0?" in question and "<strong>0</strong>" in answer and "point 0" in key_points
    assert (topic, slug) == ("Topic 0", "card-0") and "topic::topic-0" in tags
    assert "<strong>scaling</strong>" in deeper  # the deeper dive travels too


def test_apkg_of_a_topic_deck_holds_only_that_topic(user_client, deck_cards, tmp_path):
    content = user_client.get(reverse("quiz:study_export", args=["deck.apkg"]) + "?topic=topic-1").content
    path = tmp_path / "c.anki2"
    path.write_bytes(zipfile.ZipFile(io.BytesIO(content)).read("collection.anki2"))
    with sqlite3.connect(path) as db:
        assert db.execute("select count(*) from notes").fetchone()[0] == 3


def test_deck_csv_has_anki_headers_and_one_row_per_card(user_client, deck_cards):
    text = user_client.get(reverse("quiz:study_export", args=["deck.csv"])).content.decode()
    assert text.startswith("#separator:Comma\n#html:true\n")
    rows = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    assert len(rows) == len(deck_cards) and rows[0][3:5] == ["Topic 0", "card-0"]


def test_review_log_csv_lists_the_users_answers_only(user_client, user, other_user, deck_cards):
    card_review(user=user, card_id=deck_cards[0].pk, rating=3, review_id=uuid.uuid4(), duration_ms=1234)
    card_review(user=other_user, card_id=deck_cards[1].pk, rating=1, review_id=uuid.uuid4())
    rows = list(
        csv.DictReader(
            io.StringIO(user_client.get(reverse("quiz:study_export", args=["reviews.csv"])).content.decode())
        )
    )
    assert len(rows) == 1 and rows[0]["card"] == "card-0" and rows[0]["rating_name"] == "Good"
    assert rows[0]["duration_ms"] == "1234" and rows[0]["state_before"] == "New"


def test_unknown_export_is_404(user_client):
    assert user_client.get(reverse("quiz:study_export", args=["deck.exe"])).status_code == 404
