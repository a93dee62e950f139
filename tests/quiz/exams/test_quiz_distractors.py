"""Distractor rules: close in meaning, never a near-duplicate of the right answer or of each other, comparable
lengths, shuffled order; bank embeddings computed once and again only when a card's text changes."""

import random
import statistics

import numpy as np
import pytest

from quiz.bank.models import Card, CardEmbedding
from quiz.bank.services.embeddings import card_embeddings_ensure, card_vectors, markdown_plain
from quiz.exams.services import quiz as quiz_service
from quiz.exams.services.quiz import NEAR_DUPLICATE, OPTION_CHARS, distractors_choose, option_text, quiz_create
from tests.quiz.exam_helpers import CountingEmbed, bow_embed, make_cards


def _unit(vector):
    vector = np.asarray(vector, dtype=np.float32)
    return vector / np.linalg.norm(vector)


def test_distractors_are_the_closest_answers_but_never_near_duplicates():
    rng = np.random.default_rng(0)
    target = _unit(rng.normal(size=16))
    vectors = {0: target, 1: _unit(target + 0.01 * rng.normal(size=16))}  # 1: a near-duplicate of the answer
    for card_id in range(2, 12):  # 2..5 close, 6..11 far
        noise = 0.6 if card_id < 6 else 5.0
        vectors[card_id] = _unit(target + noise * rng.normal(size=16))
    texts = {card_id: f"answer {card_id}" for card_id in vectors}
    similarity = {card_id: float(vector @ target) for card_id, vector in vectors.items()}
    assert similarity[1] >= NEAR_DUPLICATE

    for seed in range(20):
        chosen = distractors_choose(card_id=0, vectors=vectors, texts=texts, rng=random.Random(seed))
        assert len(chosen) == 3 and len(set(chosen)) == 3
        assert 0 not in chosen and 1 not in chosen
        assert all(similarity[c] < NEAR_DUPLICATE for c in chosen)
        for a in chosen:
            for b in chosen:
                assert a == b or float(vectors[a] @ vectors[b]) < NEAR_DUPLICATE
    ranked = sorted((c for c in vectors if c > 1), key=lambda c: -similarity[c])
    pool = set(ranked[: quiz_service.CANDIDATE_POOL])
    assert all(set(distractors_choose(card_id=0, vectors=vectors, texts=texts, rng=random.Random(s))) <= pool
               for s in range(10))  # fmt: skip


def test_an_answer_that_reads_the_same_is_never_a_distractor():
    rows = [[1, 0, 0, 0], [0.8, 0.6, 0, 0], [0.7, 0, 0.7, 0], [0.6, 0, 0, 0.8], [0, 0.6, 0.8, 0]]
    vectors = {i: _unit(row) for i, row in enumerate(rows)}  # 1 is the closest, but reads the same as 0
    texts = {0: "Same text.", 1: "same text.", 2: "Other", 3: "Another", 4: "Far away"}
    chosen = distractors_choose(card_id=0, vectors=vectors, texts=texts, rng=random.Random(1))
    assert 1 not in chosen and set(chosen) == {2, 3, 4}


def test_options_are_cut_to_comparable_length_without_splitting_math():
    long = "Attention mixes values. " + " ".join(["word"] * 80) + " and $\\sqrt{d_k}$ scaling matters."
    math_edge = "x " * 60 + "$\\mathrm{softmax}(QK^T / \\sqrt{d_k})V$ is the formula " + "y " * 40
    for text in (long, math_edge):
        option = option_text(text)
        assert len(markdown_plain(option)) <= OPTION_CHARS + 1
        assert option.count("$") % 2 == 0  # math spans whole or absent
    assert option_text("Short answer.") == "Short answer."


@pytest.mark.django_db
def test_embeddings_are_computed_once_and_again_only_for_changed_text():
    cards = make_cards(5)
    embed = CountingEmbed()
    assert card_embeddings_ensure(embed=embed) == 5 and embed.texts == 5
    assert card_embeddings_ensure(embed=embed) == 0 and embed.texts == 5  # nothing recomputed
    Card.objects.filter(pk=cards[0].pk).update(answer="A completely new answer.")
    assert card_embeddings_ensure(embed=embed) == 1 and embed.texts == 6
    stored = CardEmbedding.objects.get(card=cards[0])
    assert stored.dim == 256 and np.allclose(card_vectors()[cards[0].pk], bow_embed(["A completely new answer."])[0])


@pytest.mark.django_db
def test_a_quiz_offers_the_right_answer_and_three_shuffled_distractors(user):
    make_cards(12)
    quiz = quiz_create(user=user, topics=[], difficulty=None, length=10, rng=random.Random(3), embed=bow_embed)
    questions = list(quiz.questions.select_related("card"))
    assert len(questions) == 10
    for question in questions:
        options = question.options
        assert len(options) == 4 and len({o["card_id"] for o in options}) == 4
        assert options[question.correct_index]["card_id"] == question.card_id
        assert options[question.correct_index]["text"] == option_text(question.card.answer)
    assert len({q.correct_index for q in questions}) > 1  # the right answer is not always in one place


@pytest.mark.django_db
def test_on_the_real_bank_options_have_comparable_lengths(bank_loaded, user):
    quiz = quiz_create(user=user, topics=[], difficulty=None, length=20, rng=random.Random(5), embed=bow_embed)
    for question in quiz.questions.all():
        lengths = [len(markdown_plain(o["text"])) for o in question.options]
        assert max(lengths) <= OPTION_CHARS + 1 and min(lengths) >= 0.6 * OPTION_CHARS, lengths
        right = lengths[question.correct_index]
        assert abs(right - statistics.median(lengths)) <= 0.3 * OPTION_CHARS  # length does not give it away


@pytest.mark.django_db
def test_no_cards_for_the_choice_is_a_clear_error(user):
    make_cards(3, difficulty=1)
    with pytest.raises(quiz_service.QuizError, match="No cards match"):
        quiz_create(user=user, topics=[], difficulty=3, length=5, embed=bow_embed)


@pytest.mark.django_db
def test_with_the_real_encoder_distractors_are_closer_in_meaning_than_chance(bank_loaded):
    """all-MiniLM-L6-v2 on three topics of the real bank: the chosen answers are nearer than a random pick."""
    from worker.embeddings import texts_embed

    cards = list(Card.objects.filter(topic__slug__in=["attention", "decoding", "training"]).exclude(answer=""))
    assert card_embeddings_ensure(cards=cards, embed=texts_embed) == len(cards)
    vectors = card_vectors(card_ids=[card.pk for card in cards])
    texts = {card.pk: option_text(card.answer) for card in cards}
    topic = {card.pk: card.topic_id for card in cards}
    rng, closer, same_topic, total = random.Random(0), 0, 0, 0
    for card in cards:
        chosen = distractors_choose(card_id=card.pk, vectors=vectors, texts=texts, rng=rng)
        others = [other for other in vectors if other != card.pk]
        mean_chosen = np.mean([vectors[c] @ vectors[card.pk] for c in chosen])
        mean_random = np.mean([vectors[o] @ vectors[card.pk] for o in others])
        closer += mean_chosen > mean_random
        same_topic += sum(topic[c] == topic[card.pk] for c in chosen)
        total += len(chosen)
        assert all(float(vectors[c] @ vectors[card.pk]) < NEAR_DUPLICATE for c in chosen)
    assert closer == len(cards)
    base_rate = max(sum(1 for c in cards if c.topic_id == t) for t in set(topic.values())) / len(cards)
    assert same_topic / total > base_rate  # neighbours in meaning mostly share the topic
