"""Quizzes built from the cards' authored items (quiz.bank.services.quiz_items), in four formats:

* multiple choice: the card's ``mcq`` answer against its own authored distractors, shuffled;
* true/false: one of the card's ``statements``;
* typed answer: the learner writes the answer, graded on the worker (quiz.exams.services.quiz_grading);
* match: six questions against six short answers, against the clock (quiz.exams.services.quiz_match);

or "mixed" (multiple choice, true/false and typed answer in turn). Cards without authored items (imported from the
learner's own files) are never given made-up options: they take part as typed answers only, and in match by their
first key point. Creating or answering a quiz loads no model: nothing here embeds text.
"""

import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from quiz.bank.models import Card
from quiz.bank.services.embeddings import markdown_plain
from quiz.exams.models import Quiz, QuizQuestion
from quiz.exams.services.quiz_grading import quiz_grade_enqueue
from quiz.study.models import StudyFlag
from quiz.study.services.study import cards_add_to_study

Kind = QuizQuestion.Kind
Format = Quiz.Format

LENGTH_CHOICES = (5, 10, 15, 20)
MATCH_SIZE = 6  # pairs on a match board (Quizlet's Match uses six)
MATCH_MIN = 3  # fewer pairs than this is not a game
MAX_TYPED_CHARS = 4000  # the grader reads no more (quiz.exams.services.grading.MAX_ANSWER_CHARS)
MIXED_KINDS = (Kind.MCQ, Kind.TRUEFALSE, Kind.TYPED)  # match is a board of its own, not one question of a series
TRUE_FALSE = [{"text": "True"}, {"text": "False"}]

ERROR_NO_CARDS = "No cards match these choices. Pick other topics or any difficulty."
ERROR_NO_ITEMS = (
    "None of the matching cards has authored {format} items (cards imported from your files have none). "
    "Pick the typed-answer or match format, or other topics."
)
ERROR_MATCH_SMALL = f"A match game needs at least {MATCH_MIN} cards; pick more topics or any difficulty."
ERROR_CHOICE = "Choose one of the options."
ERROR_TEXT = "Write an answer first."
ERROR_KIND = "This question is not answered that way."
ERROR_ANSWERED = "This question was already answered."


class QuizError(ValueError):
    """A request the user can correct; the message is shown as is."""


# --- Which formats a card supports -------------------------------------------------------------------------------


def card_kinds(card: Card) -> list[str]:
    """The question kinds a card's items allow, in MIXED_KINDS order (typed needs only an answer)."""
    items = card.quiz_items or {}
    kinds = []
    if (items.get("mcq") or {}).get("answer") and (items.get("mcq") or {}).get("distractors"):
        kinds.append(Kind.MCQ)
    statements = items.get("statements") or []
    if any(s.get("true") is True for s in statements) and any(s.get("true") is False for s in statements):
        kinds.append(Kind.TRUEFALSE)
    if card.answer.strip():
        kinds.append(Kind.TYPED)
    if match_answer(card):
        kinds.append(Kind.MATCH)
    return kinds


def match_answer(card: Card) -> str:
    """The short answer a card shows on a match board: its authored one-sentence answer, else (imported cards)
    its first key point; empty when it has neither."""
    answer = ((card.quiz_items or {}).get("mcq") or {}).get("answer", "")
    if answer:
        return answer
    return markdown_plain(card.key_points[0]) if card.key_points else ""


# --- Creating a quiz ---------------------------------------------------------------------------------------------


def quiz_cards_pick(*, topics: list[str], difficulty: int | None, length: int, quiz_format: str,
                    rng: random.Random) -> list[Card]:  # fmt: skip
    pool = Card.objects.in_use().exclude(answer="").select_related("topic")
    if topics:
        pool = pool.filter(topic__slug__in=topics)
    if difficulty:
        pool = pool.filter(difficulty=difficulty)
    pool = list(pool)
    if not pool:
        raise QuizError(ERROR_NO_CARDS)
    if quiz_format != Format.MIXED:
        pool = [card for card in pool if quiz_format in card_kinds(card)]
    if not pool:
        raise QuizError(ERROR_NO_ITEMS.format(format=Format(quiz_format).label.lower()))
    if quiz_format == Format.MATCH:
        rng.shuffle(pool)
        board: dict[str, Card] = {}  # two cards with the same short answer would make a pairing ambiguous
        for card in pool:
            board.setdefault(match_answer(card).lower(), card)
        if len(board) < MATCH_MIN:
            raise QuizError(ERROR_MATCH_SMALL)
        return list(board.values())[:MATCH_SIZE]
    return rng.sample(pool, min(length, len(pool)))


def mcq_options(card: Card, *, rng: random.Random) -> tuple[list[dict], int]:
    """The authored answer and every authored distractor, each with the line that says why it is wrong, shuffled.
    Returns (options, index of the right one)."""
    mcq = card.quiz_items["mcq"]
    why = list(mcq.get("why") or [])
    why += [""] * (len(mcq["distractors"]) - len(why))
    options = [{"text": mcq["answer"], "why": ""}]
    options += [{"text": text, "why": line} for text, line in zip(mcq["distractors"], why, strict=False)]
    order = list(range(len(options)))
    rng.shuffle(order)
    return [options[i] for i in order], order.index(0)


def question_build(*, card: Card, kind: str, position: int, rng: random.Random) -> QuizQuestion:
    """One unsaved question of ``kind`` on ``card`` (match questions are built by match_questions_build)."""
    question = QuizQuestion(card=card, kind=kind, position=position)
    if kind == Kind.MCQ:
        question.options, question.correct_index = mcq_options(card, rng=rng)
    elif kind == Kind.TRUEFALSE:
        statement = rng.choice(card.quiz_items["statements"])
        question.prompt, question.why = statement["text"], statement.get("why", "")
        question.options, question.correct_index = TRUE_FALSE, 0 if statement["true"] else 1
    elif kind != Kind.TYPED:
        raise ValueError(f"not a single-question kind: {kind}")
    return question


def match_questions_build(*, cards: list[Card], rng: random.Random) -> list[QuizQuestion]:
    """One row per card; every row carries the whole board (the short answers, shuffled) and its own answer."""
    board = [{"text": match_answer(card), "card_id": card.pk} for card in cards]
    rng.shuffle(board)
    by_card = {option["card_id"]: index for index, option in enumerate(board)}
    return [
        QuizQuestion(card=card, kind=Kind.MATCH, position=position, options=board, correct_index=by_card[card.pk])
        for position, card in enumerate(cards)
    ]  # fmt: skip


def mixed_kind(card: Card, *, position: int, offset: int) -> str:
    """Kinds in turn (mcq, true/false, typed), skipping those the card's items do not allow."""
    allowed = card_kinds(card)
    for step in range(len(MIXED_KINDS)):
        kind = MIXED_KINDS[(offset + position + step) % len(MIXED_KINDS)]
        if kind in allowed:
            return kind
    return Kind.TYPED


def quiz_create(*, user, topics: list[str], difficulty: int | None, length: int,
                feedback: str = Quiz.Feedback.IMMEDIATE, quiz_format: str = Format.MCQ,
                rng: random.Random | None = None) -> Quiz:  # fmt: skip
    """A quiz of up to ``length`` questions (a match board always has up to MATCH_SIZE pairs)."""
    rng = rng or random.Random()
    quiz_format = Format(quiz_format)
    cards = quiz_cards_pick(topics=topics, difficulty=difficulty, length=length, quiz_format=quiz_format, rng=rng)
    if quiz_format == Format.MATCH:
        questions = match_questions_build(cards=cards, rng=rng)
    else:
        offset = rng.randrange(len(MIXED_KINDS))
        questions = [
            question_build(card=card, position=position, rng=rng,
                           kind=mixed_kind(card, position=position, offset=offset)
                           if quiz_format == Format.MIXED else quiz_format)
            for position, card in enumerate(cards)
        ]  # fmt: skip
    with transaction.atomic():
        quiz = Quiz.objects.create(user=user, topics=list(topics), difficulty=difficulty, feedback=feedback,
                                   format=quiz_format)  # fmt: skip
        for question in questions:
            question.quiz = quiz
        QuizQuestion.objects.bulk_create(questions)
    return quiz


# --- Answering ---------------------------------------------------------------------------------------------------


@dataclass
class AnswerResult:
    question: QuizQuestion
    finished: bool


def _finish_if_done(quiz: Quiz) -> bool:
    finished = not quiz.questions.filter(answered_at__isnull=True).exists()
    if finished and quiz.finished_at is None:
        quiz.finished_at = timezone.now()
        quiz.save(update_fields=["finished_at"])
    return finished


def _question_locked(quiz: Quiz, position: int) -> QuizQuestion:
    question = QuizQuestion.objects.select_for_update().filter(quiz=quiz, position=position).first()
    if question is None:
        raise QuizError(ERROR_CHOICE)
    return question


@transaction.atomic
def quiz_answer(*, quiz: Quiz, position: int, choice: int) -> AnswerResult:
    """Record the option chosen for a multiple-choice or true/false question. The first answer counts; answering
    again changes nothing."""
    question = _question_locked(quiz, position)
    if question.kind not in (Kind.MCQ, Kind.TRUEFALSE):
        raise QuizError(ERROR_KIND)
    if not 0 <= choice < len(question.options):
        raise QuizError(ERROR_CHOICE)
    if question.answered_at is None:
        question.chosen_index, question.correct = choice, choice == question.correct_index
        question.answered_at = timezone.now()
        question.save(update_fields=["chosen_index", "correct", "answered_at"])
    return AnswerResult(question=question, finished=_finish_if_done(quiz))


@transaction.atomic
def quiz_answer_typed(*, quiz: Quiz, position: int, text: str) -> AnswerResult:
    """Record a typed answer (cut to MAX_TYPED_CHARS) and send the quiz's typed answers to the worker for grading
    once this commits, or hold them for the learner's share of the workers. The first answer counts."""
    question = _question_locked(quiz, position)
    if question.kind != Kind.TYPED:
        raise QuizError(ERROR_KIND)
    text = (text or "").strip()[:MAX_TYPED_CHARS]
    if not text:
        raise QuizError(ERROR_TEXT)
    if question.answered_at is None:
        question.response, question.answered_at = text, timezone.now()
        question.save(update_fields=["response", "answered_at"])
        quiz_grade_enqueue(quiz_id=quiz.pk)
    return AnswerResult(question=question, finished=_finish_if_done(quiz))


# --- Feedback ----------------------------------------------------------------------------------------------------


@dataclass
class WhyLines:
    """What the learner reads after an item: why the right answer is right, and why their pick was wrong."""

    right_text: str  # the right option, the statement's truth, or "" (typed: the card answers)
    right_why: str  # the card's first key point, else its answer
    wrong_why: str  # the authored line on the option (or statement) the learner picked; "" when right
    card_url: str


def question_feedback(question: QuizQuestion) -> WhyLines:
    card = question.card
    right_why = card.key_points[0] if card.key_points else card.answer
    if question.kind == Kind.TRUEFALSE:
        truth = "true" if question.correct_index == 0 else "false"
        right_text = f"The statement is {truth}."
        right_why = question.why or right_why
    elif question.kind == Kind.TYPED or question.correct_index is None:
        right_text = ((card.quiz_items or {}).get("mcq") or {}).get("answer", "")
    else:
        right_text = question.options[question.correct_index]["text"]
    return WhyLines(right_text=right_text, right_why=right_why, wrong_why=question.chosen_why,
                    card_url=card.get_absolute_url())  # fmt: skip


def quiz_missed_to_study(*, user, quiz: Quiz, card_ids: list[int] | None = None) -> int:
    """Put missed cards of the quiz (all of them, or those named) into the user's study deck, due now."""
    missed = set(quiz.questions.filter(correct=False).values_list("card_id", flat=True))
    if card_ids is not None:
        missed &= set(card_ids)
    return cards_add_to_study(user=user, card_ids=sorted(missed), due_now=True, source=StudyFlag.Source.QUIZ)
