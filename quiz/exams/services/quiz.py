"""Multiple-choice quizzes built from the bank: the card's own answer against three answers of other cards that are
close in meaning (stored all-MiniLM-L6-v2 vectors), never near-duplicates, all cut to comparable length."""

import random
import re
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.utils import timezone

from quiz.bank.models import Card
from quiz.bank.services.embeddings import (
    Embedder,
    bank_embed_enqueue,
    card_embeddings_ensure,
    card_vectors,
    markdown_plain,
)
from quiz.exams.models import Quiz, QuizQuestion
from quiz.study.models import StudyFlag
from quiz.study.services.study import cards_add_to_study

LENGTH_CHOICES = (5, 10, 15, 20)
DISTRACTORS = 3
NEAR_DUPLICATE = 0.90  # cosine at or above which two answers say the same thing: never a distractor
CANDIDATE_POOL = 8  # distractors are drawn at random from this many nearest eligible answers
OPTION_CHARS = 140  # every option is the leading part of an answer, cut to about this many visible characters
OPTION_SENTENCE_MIN = 0.75  # a sentence end this far into the limit is a cleaner cut than a word boundary

ERROR_NO_CARDS = "No cards match these choices. Pick other topics or any difficulty."
ERROR_CHOICE = "Choose one of the options."
ERROR_ANSWERED = "This question was already answered."

# An option is one line of prose: display math, code blocks, list and heading marks are dropped first.
_BLOCKS = re.compile(r"\$\$.*?\$\$|```.*?```", re.DOTALL)
_LINE_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)]|#+|>)\s+", re.MULTILINE)
_ATOM = re.compile(r"(?:\$[^$\n]+\$|`[^`\n]+`|[^\s$`])+")  # a word; inline math and code are never cut inside


class QuizError(ValueError):
    """A request the user can correct; the message is shown as is."""


def option_text(answer: str, *, limit: int = OPTION_CHARS) -> str:
    """The leading part of an answer (markdown kept) cut near ``limit`` visible characters: at a sentence end when
    one falls late enough, else at a word boundary with an ellipsis."""
    flat = _LINE_MARK.sub("", _BLOCKS.sub(" ", answer or ""))
    atoms, kept, visible, sentence_cut = _ATOM.findall(flat), [], 0, None
    for atom in atoms:
        width = len(markdown_plain(atom)) + (1 if kept else 0)
        if visible + width > limit:
            break
        kept.append(atom)
        visible += width
        if atom.endswith((".", "!", "?")) and visible >= OPTION_SENTENCE_MIN * limit:
            sentence_cut = len(kept)
    if len(kept) == len(atoms):
        return " ".join(kept)
    if not kept:  # one formula longer than the limit: its plain text, cut
        return markdown_plain(flat)[: limit - 1].rstrip() + "…"
    if sentence_cut:
        return " ".join(kept[:sentence_cut])
    return " ".join(kept).rstrip(",;:") + "…"


def distractors_choose(*, card_id: int, vectors: dict[int, np.ndarray], texts: dict[int, str], rng: random.Random,
                       count: int = DISTRACTORS) -> list[int]:  # fmt: skip
    """Card ids whose answers are close in meaning to ``card_id``'s, but not near-duplicates of it or of each other.

    ``texts`` are the option texts: an answer that would read the same as the right one is never used either.
    A card without a stored vector (the bank's embeddings are still being computed on the worker) gets distractors
    drawn at random from the other answers: a plainer quiz rather than a web request that loads the encoder."""
    if card_id not in vectors:
        return _distractors_random(card_id=card_id, texts=texts, rng=rng, count=count)
    target = vectors[card_id]
    others = [other for other in vectors if other != card_id and other in texts]
    if not others:
        return []
    matrix = np.stack([vectors[other] for other in others])  # (N, D)
    similarity = matrix @ target  # (N,)
    eligible = [
        others[i] for i in np.argsort(-similarity)
        if similarity[i] < NEAR_DUPLICATE and texts[others[i]].strip().lower() != texts[card_id].strip().lower()
    ]  # fmt: skip
    pool = eligible[:CANDIDATE_POOL]
    rng.shuffle(pool)
    chosen: list[int] = []
    for candidate in pool + eligible[CANDIDATE_POOL:]:
        if all(float(vectors[candidate] @ vectors[kept]) < NEAR_DUPLICATE for kept in chosen):
            chosen.append(candidate)
        if len(chosen) == count:
            break
    return chosen


def _distractors_random(*, card_id: int, texts: dict[int, str], rng: random.Random, count: int) -> list[int]:
    own = texts[card_id].strip().lower()
    others = sorted(other for other in texts if other != card_id and texts[other].strip().lower() != own)
    return rng.sample(others, min(count, len(others)))


def quiz_cards_pick(*, topics: list[str], difficulty: int | None, length: int, rng: random.Random) -> list[Card]:
    pool = Card.objects.in_use().exclude(answer="")
    if topics:
        pool = pool.filter(topic__slug__in=topics)
    if difficulty:
        pool = pool.filter(difficulty=difficulty)
    pool = list(pool)
    return rng.sample(pool, min(length, len(pool)))


def quiz_create(*, user, topics: list[str], difficulty: int | None, length: int,
                feedback: str = Quiz.Feedback.IMMEDIATE, rng: random.Random | None = None,
                embed: Embedder | None = None) -> Quiz:  # fmt: skip
    """A quiz of up to ``length`` questions, distractors from the stored bank vectors.

    The web process never computes vectors (that would load torch and the encoder into it): when some are missing,
    the `bank.embed` task is queued for the cpu worker and those cards get random distractors this time. ``embed``
    (a test's stand-in encoder) computes missing vectors here instead."""
    rng = rng or random.Random()
    cards = quiz_cards_pick(topics=topics, difficulty=difficulty, length=length, rng=rng)
    if not cards:
        raise QuizError(ERROR_NO_CARDS)
    bank = list(Card.objects.in_use().exclude(answer=""))
    if embed is not None:
        card_embeddings_ensure(cards=bank, embed=embed)
    vectors = card_vectors(card_ids=[card.pk for card in bank])
    if len(vectors) < len(bank):
        bank_embed_enqueue()
    texts = {card.pk: option_text(card.answer) for card in bank}
    return _quiz_store(user=user, topics=topics, difficulty=difficulty, feedback=feedback, cards=cards,
                       vectors=vectors, texts=texts, rng=rng)  # fmt: skip


@transaction.atomic
def _quiz_store(*, user, topics, difficulty, feedback, cards, vectors, texts, rng) -> Quiz:
    quiz = Quiz.objects.create(user=user, topics=list(topics), difficulty=difficulty, feedback=feedback)
    questions = []
    for position, card in enumerate(cards):
        option_ids = [card.pk] + distractors_choose(card_id=card.pk, vectors=vectors, texts=texts, rng=rng)
        rng.shuffle(option_ids)
        questions.append(QuizQuestion(
            quiz=quiz, position=position, card=card, correct_index=option_ids.index(card.pk),
            options=[{"card_id": option_id, "text": texts[option_id]} for option_id in option_ids],
        ))  # fmt: skip
    QuizQuestion.objects.bulk_create(questions)
    return quiz


@dataclass
class AnswerResult:
    question: QuizQuestion
    finished: bool


@transaction.atomic
def quiz_answer(*, quiz: Quiz, position: int, choice: int) -> AnswerResult:
    """Record the option chosen for a question. The first answer counts; answering again changes nothing."""
    question = QuizQuestion.objects.select_for_update().filter(quiz=quiz, position=position).first()
    if question is None or not 0 <= choice < len(question.options):
        raise QuizError(ERROR_CHOICE)
    if question.chosen_index is None:
        question.chosen_index, question.correct = choice, choice == question.correct_index
        question.answered_at = timezone.now()
        question.save(update_fields=["chosen_index", "correct", "answered_at"])
    finished = not quiz.questions.filter(chosen_index__isnull=True).exists()
    if finished and quiz.finished_at is None:
        quiz.finished_at = timezone.now()
        quiz.save(update_fields=["finished_at"])
    return AnswerResult(question=question, finished=finished)


def quiz_missed_to_study(*, user, quiz: Quiz, card_ids: list[int] | None = None) -> int:
    """Put missed cards of the quiz (all of them, or those named) into the user's study deck, due now."""
    missed = set(quiz.questions.filter(correct=False).values_list("card_id", flat=True))
    if card_ids is not None:
        missed &= set(card_ids)
    return cards_add_to_study(user=user, card_ids=sorted(missed), due_now=True, source=StudyFlag.Source.QUIZ)
