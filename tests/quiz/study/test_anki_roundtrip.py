"""Anki both ways, checked with Anki's own library (the ``anki`` package, the desktop app's backend) as the client:
this app's .apkg opens in Anki with the same due dates and review history, and Anki's export comes back into a
fresh account with the same due dates and review count."""

import io
import re
import uuid
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone
from fsrs import Rating

from quiz.study.models import StudyCard, StudyReview
from quiz.study.services.anki import (
    ERROR_NOT_PACKAGE,
    AnkiImportError,
    anki_package_import,
)
from quiz.study.services.export import deck_export_apkg
from quiz.study.services.study import card_review, study_settings_get, study_today

anki_collection = pytest.importorskip("anki.collection")
pytestmark = pytest.mark.django_db


def study_history(user, cards):
    """Three weeks of answers on four cards, ending today: reviews, a lapse, a card still in learning."""
    now = timezone.now()
    start = now - timedelta(days=21)
    plans = {0: [Rating.Good, Rating.Good, Rating.Good, Rating.Good], 1: [Rating.Easy, Rating.Good],
             2: [Rating.Good, Rating.Good, Rating.Again], 3: [Rating.Hard]}  # fmt: skip
    for index, ratings in plans.items():
        at = start + timedelta(hours=index)
        for rating in ratings:
            result = card_review(user=user, card_id=cards[index].pk, rating=rating, review_id=uuid.uuid4(), now=at)
            at = max(result.review.due_after, at + timedelta(minutes=1))
            if at > now:
                break
    return now


def our_due_days(user, today) -> dict[str, int]:
    """Slug -> days from today to the card's study day (the unit Anki schedules reviews in)."""
    settings = study_settings_get(user=user)
    rows = StudyCard.objects.filter(user=user, state=StudyCard.State.REVIEW).select_related("card")
    return {row.card.slug: (study_today(settings=settings, now=row.due) - today).days for row in rows}


def anki_open(tmp_path, name="collection.anki2"):
    return anki_collection.Collection(str(tmp_path / name))


def test_export_opens_in_anki_with_scheduling_and_history_and_comes_back_the_same(user, other_user, deck_cards,
                                                                                  tmp_path, django_user_model, password):  # fmt: skip
    from anki.collection import ExportAnkiPackageOptions, ImportAnkiPackageOptions, ImportAnkiPackageRequest

    now = study_history(user, deck_cards)
    today = study_today(settings=study_settings_get(user=user), now=now)
    ours = our_due_days(user, today)
    review_count = StudyReview.objects.filter(user=user, undone_at__isnull=True).count()
    assert ours and review_count >= 8

    # Ours -> Anki (Anki's own importer, scheduling included)
    package = tmp_path / "ours.apkg"
    package.write_bytes(deck_export_apkg(user=user))
    col = anki_open(tmp_path)
    try:
        col.import_anki_package(ImportAnkiPackageRequest(
            package_path=str(package), options=ImportAnkiPackageOptions(with_scheduling=True)))  # fmt: skip
        assert col.db.scalar("select count() from revlog") == review_count
        anki_due = {}
        for cid in col.find_cards("is:review -is:learn"):
            card = col.get_card(cid)
            anki_due[card.note()["Slug"]] = card.due - col.sched.today
            assert card.memory_state is not None  # FSRS stability and difficulty came along
        assert anki_due == ours
        assert "Deeper dive" in col.get_card(col.find_cards("is:review")[0]).note().keys()
        assert col.find_cards("is:learn") and len(col.find_cards("is:new")) == len(deck_cards) - 4

        # Anki -> a fresh account here (Anki's current package format: zstd-compressed collection.anki21b)
        back = tmp_path / "from-anki.apkg"
        col.export_anki_package(out_path=str(back), limit=None, options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=False, legacy=False))  # fmt: skip
        whole = tmp_path / "collection.colpkg"
        col.export_collection_package(str(whole), include_media=False, legacy=False)  # closes the collection
    finally:
        if col.db is not None:
            col.close()
    assert "collection.anki21b" in zipfile.ZipFile(back).namelist()
    report = anki_package_import(user=other_user, package=back.read_bytes(), now=now)
    assert report.matched == len(deck_cards) and report.scheduled == 4 and report.unmatched_count == 0
    assert StudyReview.objects.filter(user=other_user).count() == review_count
    assert our_due_days(other_user, today) == ours
    again = anki_package_import(user=other_user, package=back.read_bytes(), now=now)
    assert again.reviews == 0 and StudyReview.objects.filter(user=other_user).count() == review_count

    # The whole collection (.colpkg) comes in the same way
    third = django_user_model.objects.create_user(username="lin", password=password)
    report = anki_package_import(user=third, package=whole.read_bytes(), now=now)
    assert report.scheduled == 4 and StudyReview.objects.filter(user=third).count() == review_count
    assert our_due_days(third, today) == ours


def test_notes_that_are_not_bank_cards_are_reported_not_added(user, deck_cards, tmp_path):
    from anki.collection import ExportAnkiPackageOptions
    from anki.decks import DeckId

    col = anki_open(tmp_path)
    try:
        basic = col.models.by_name("Basic")
        for front in ("Question 2?", "What is the capital of Peru?"):
            note = col.new_note(basic)
            note["Front"], note["Back"] = front, "an answer"
            col.add_note(note, DeckId(1))
        out = tmp_path / "basic.apkg"
        col.export_anki_package(out_path=str(out), limit=None, options=ExportAnkiPackageOptions(
            with_scheduling=True, with_deck_configs=False, with_media=False, legacy=True))  # fmt: skip
    finally:
        col.close()
    report = anki_package_import(user=user, package=out.read_bytes())
    assert (report.notes, report.matched, report.unmatched_count) == (2, 1, 1)
    assert report.unmatched == ["What is the capital of Peru?"]
    assert not StudyCard.objects.filter(user=user).exists()  # matched but new in Anki: nothing to schedule yet


def test_a_file_that_is_not_a_package_is_refused_with_a_clear_message(user):
    with pytest.raises(AnkiImportError, match=re.escape(ERROR_NOT_PACKAGE)):
        anki_package_import(user=user, package=b"not a zip")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    with pytest.raises(AnkiImportError, match=re.escape(ERROR_NOT_PACKAGE)):
        anki_package_import(user=user, package=buffer.getvalue())


def test_import_page_takes_an_export_of_this_site_back(user_client, user, deck_cards):
    from django.core.files.uploadedfile import SimpleUploadedFile

    card_review(user=user, card_id=deck_cards[0].pk, rating=Rating.Easy, review_id=uuid.uuid4())
    package = deck_export_apkg(user=user)
    StudyCard.objects.filter(user=user).delete()
    response = user_client.post("/study/import/", {"package": SimpleUploadedFile("deck.apkg", package)})
    page = response.content.decode()
    assert response.status_code == 200 and "1 card with scheduling, 1 review added" in page
    assert StudyCard.objects.get(user=user).state == StudyCard.State.REVIEW
    bad = user_client.post("/study/import/", {"package": SimpleUploadedFile("x.apkg", b"nope")})
    assert bad.status_code == 400 and "not an Anki package" in bad.content.decode()
