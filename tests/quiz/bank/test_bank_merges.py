"""Cards merged by the bank (`replaces:`) are retired, not deleted: the old address redirects, the learner's study
history moves to the merged card, and loading again changes nothing."""

import uuid

import pytest
import yaml
from django.urls import reverse

from quiz.bank.models import Card, CardSource
from quiz.bank.services.bank import bank_load
from quiz.study.models import StudyCard, StudyReview
from quiz.study.services.queue import study_queue_next
from quiz.study.services.study import card_review, study_cards_merge
from tests.quiz.study_helpers import T0

pytestmark = pytest.mark.django_db


def card(slug: str, **extra) -> dict:
    return {"slug": slug, "question": f"What is {slug}?", "answer": f"The answer about {slug}.", "difficulty": 1,
            "key_points": ["one point", "two points", "three points"], **extra}  # fmt: skip


def bank_write(folder, cards: list[dict]):
    folder.mkdir(exist_ok=True)
    (folder / "01-t.yaml").write_text(yaml.safe_dump({"topic": {"slug": "t", "name": "T"}, "cards": cards}))
    return folder


def load_and_merge(folder) -> list[tuple[str, str]]:
    """What `manage.py load_bank` does."""
    report = bank_load(bank_dir=folder)
    for old_slug, into_slug in report.retired:
        study_cards_merge(old_slug=old_slug, into_slug=into_slug)
    return report.retired


def test_a_merged_card_is_retired_redirects_and_takes_its_learners_history_along(tmp_path, user, client):
    folder = bank_write(tmp_path / "bank", [card("keep", covers=["aaaa"]), card("old", covers=["bbbb"])])
    load_and_merge(folder)
    old = Card.objects.get(slug="old")
    card_review(user=user, card_id=old.pk, rating=3, review_id=uuid.uuid4(), now=T0)

    bank_write(folder, [card("keep", covers=["aaaa", "bbbb"], replaces=["old"])])
    assert load_and_merge(folder) == [("old", "keep")]
    keep = Card.objects.get(slug="keep")
    old.refresh_from_db()
    assert old.retired_into == keep  # kept, not deleted
    assert set(CardSource.objects.filter(source="").values_list("card__slug", "fingerprint")) == {
        ("keep", "aaaa"), ("keep", "bbbb")}  # fmt: skip
    assert StudyCard.objects.get(user=user).card == keep and StudyReview.objects.get(user=user).card == keep

    response = client.get(reverse("quiz:card_detail", kwargs={"slug": "old"}))
    assert response.status_code == 301 and response["Location"] == keep.get_absolute_url()
    bank_page = client.get(reverse("quiz:bank")).content.decode()
    assert "What is keep?" in bank_page and "What is old?" not in bank_page
    assert client.get("/api/bank/cards/old").json()["slug"] == "keep"
    assert all(item.card != old for item in study_queue_next(user=user, limit=10, now=T0).items)
    assert load_and_merge(folder) == []  # idempotent


def test_a_learner_who_studied_both_cards_keeps_both_histories_where_they_were(tmp_path, user):
    folder = bank_write(tmp_path / "bank", [card("keep"), card("old")])
    load_and_merge(folder)
    for slug in ("keep", "old"):
        card_review(user=user, card_id=Card.objects.get(slug=slug).pk, rating=3, review_id=uuid.uuid4(), now=T0)
    bank_write(folder, [card("keep", replaces=["old"])])
    load_and_merge(folder)
    assert sorted(StudyReview.objects.values_list("card__slug", flat=True)) == ["keep", "old"]


def test_a_slug_that_comes_back_is_a_card_again(tmp_path):
    folder = bank_write(tmp_path / "bank", [card("keep"), card("old")])
    load_and_merge(folder)
    bank_write(folder, [card("keep", replaces=["old"])])
    load_and_merge(folder)
    bank_write(folder, [card("keep"), card("old")])
    load_and_merge(folder)
    assert Card.objects.in_use().count() == 2
