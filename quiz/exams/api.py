"""JSON API for quizzes (multiple choice, true/false, typed answer, match, mixed): start one, answer its questions,
pair a match board, read it back, study the misses.

Session auth with CSRF like the rest of the API; a user only ever reaches their own quizzes (others' are 404).
The right option of a question (and the why lines) is revealed once it is answered in an "immediate" quiz, else when
the quiz ends. Typed answers are graded on the worker: read the quiz again until their ``score`` is set.
"""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Router, Schema

from quiz.exams.models import Quiz, QuizQuestion
from quiz.exams.selectors import quiz_of_user
from quiz.exams.services.quiz import (
    LENGTH_CHOICES,
    MATCH_SIZE,
    MAX_TYPED_CHARS,
    QuizError,
    question_feedback,
    quiz_answer,
    quiz_answer_typed,
    quiz_create,
    quiz_missed_to_study,
)
from quiz.exams.services.quiz_match import match_best, match_pair
from quizsite.input_policy import Id, Slug

Number = Annotated[int, Field(ge=1, le=100)]

router = Router(tags=["quiz"])


class QuizIn(Schema):
    topics: list[Slug] = Field(default_factory=list, max_length=20, description="Topic slugs; none means every topic.")
    difficulty: int | None = Field(None, ge=1, le=3)
    length: int = Field(10, ge=1, le=max(LENGTH_CHOICES))
    feedback: Literal["immediate", "end"] = "immediate"
    format: Literal["mixed", "mcq", "truefalse", "typed", "match"] = Field(
        "mcq", description=f"match: one board of up to {MATCH_SIZE} pairs (length is ignored)."
    )


class WhyOut(Schema):
    right: str = Field(
        description="Why the right answer is right (the card's first key point, or the statement's "
        "why line for true/false)."
    )
    wrong: str = Field(description="Why the option picked is wrong; empty when it is right.")


class QuestionOut(Schema):
    number: int
    kind: Literal["mcq", "truefalse", "typed", "match"]
    question: str
    statement: str | None = Field(description="True/false: the statement to judge.")
    topic: str
    options: list[str] = Field(
        description="mcq: the options; truefalse: True, False; match: the board's answers; typed: none."
    )
    chosen: int | None
    answered: bool
    response: str | None = Field(description="Typed: the answer as submitted.")
    score: int | None = Field(description="Typed: 0-100 once graded on the worker.")
    correct: bool | None = Field(description="Null until revealed (typed: until graded).")
    correct_index: int | None = Field(description="Null until revealed.")
    why: WhyOut | None = Field(description="Null until revealed.")
    card_slug: str | None = Field(description="The card this question tests, once revealed.")


class QuizOut(Schema):
    id: int
    format: str
    feedback: str
    created_at: datetime
    finished_at: datetime | None
    total: int
    answered: int
    correct: int | None = Field(description="Right answers, once the quiz is finished.")
    match_seconds: float | None = Field(description="Match: final time with penalties, once finished.")
    match_mistakes: int
    best_match_seconds: float | None = Field(description="The user's best match time.")
    questions: list[QuestionOut]


class AnswerIn(Schema):
    choice: int | None = Field(None, ge=0, le=9, description="mcq/truefalse: index into the question's options.")
    text: str | None = Field(None, min_length=1, max_length=MAX_TYPED_CHARS, description="typed: the answer.")


class PairIn(Schema):
    number: int = Field(..., ge=1, le=MATCH_SIZE, description="The board's question (from 1).")
    choice: int = Field(..., ge=0, lt=MATCH_SIZE, description="Index into the board's answers.")


class StudyIn(Schema):
    card_slugs: list[Slug] | None = Field(
        None, max_length=100, description="Missed cards to study; none: all the misses."
    )


class StudyOut(Schema):
    added: int


class Error(Schema):
    detail: str


def _quiz_out(quiz: Quiz) -> dict:
    questions = list(quiz.questions.select_related("card__topic"))
    finished = quiz.finished_at is not None
    out = []
    for q in questions:
        shown = finished or (quiz.feedback == Quiz.Feedback.IMMEDIATE and q.answered)
        why = question_feedback(q) if shown else None
        out.append({
            "number": q.position + 1, "kind": q.kind, "question": q.card.question, "topic": q.card.topic.slug,
            "statement": q.prompt or None, "options": [option["text"] for option in q.options],
            "chosen": q.chosen_index, "answered": q.answered, "response": q.response or None, "score": q.score,
            "correct": q.correct if shown else None, "correct_index": q.correct_index if shown else None,
            "why": {"right": why.right_why, "wrong": why.wrong_why} if why else None,
            "card_slug": q.card.slug if shown else None,
        })  # fmt: skip
    return {"id": quiz.pk, "format": quiz.format, "feedback": quiz.feedback, "created_at": quiz.created_at,
            "finished_at": quiz.finished_at, "total": len(questions), "answered": sum(q.answered for q in questions),
            "correct": sum(bool(q.correct) for q in questions) if finished else None,
            "match_seconds": quiz.match_seconds, "match_mistakes": quiz.match_mistakes,
            "best_match_seconds": match_best(user=quiz.user) if quiz.format == Quiz.Format.MATCH else None,
            "questions": out}  # fmt: skip


@router.post("/", response={201: QuizOut, 400: Error})
def quiz_start(request, payload: QuizIn):
    """A new quiz from the cards' authored items (options, statements, short answers)."""
    try:
        quiz = quiz_create(user=request.user, topics=payload.topics, difficulty=payload.difficulty,
                           length=payload.length, feedback=payload.feedback, quiz_format=payload.format)  # fmt: skip
    except QuizError as error:
        return 400, {"detail": str(error)}
    return 201, _quiz_out(quiz)


@router.get("/{quiz_id}", response={200: QuizOut, 404: Error})
def quiz_read(request, quiz_id: Id):
    return _quiz_out(quiz_of_user(user=request.user, quiz_id=quiz_id))


@router.post("/{quiz_id}/questions/{number}/answer", response={200: QuizOut, 400: Error, 404: Error})
def quiz_question_answer(request, quiz_id: Id, number: Number, payload: AnswerIn):
    """Answer question `number` (from 1): `choice` for multiple choice and true/false, `text` for a typed answer.
    The first answer counts; sending it again changes nothing."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    kind = quiz.questions.filter(position=number - 1).values_list("kind", flat=True).first()
    try:
        if kind == QuizQuestion.Kind.TYPED:
            quiz_answer_typed(quiz=quiz, position=number - 1, text=payload.text or "")
        elif payload.choice is None:
            raise QuizError("Send `choice` (an option's index) for this question.")
        else:
            quiz_answer(quiz=quiz, position=number - 1, choice=payload.choice)
    except QuizError as error:
        return 400, {"detail": str(error)}
    return _quiz_out(quiz)  # the services set finished_at on this instance when the last question is answered


@router.post("/{quiz_id}/match", response={200: QuizOut, 400: Error, 404: Error})
def quiz_match_pair(request, quiz_id: Id, payload: PairIn):
    """Pair a match board's question `number` with answer `choice`; a wrong pairing adds a penalty second."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    try:
        match_pair(quiz=quiz, position=payload.number - 1, choice=payload.choice)
    except QuizError as error:
        return 400, {"detail": str(error)}
    quiz.refresh_from_db()
    return _quiz_out(quiz)


@router.post("/{quiz_id}/study", response={200: StudyOut, 404: Error})
def quiz_study(request, quiz_id: Id, payload: StudyIn):
    """Put missed cards into the study deck, due now."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    card_ids = None
    if payload.card_slugs is not None:
        card_ids = list(quiz.questions.filter(card__slug__in=payload.card_slugs).values_list("card_id", flat=True))
    return {"added": quiz_missed_to_study(user=request.user, quiz=quiz, card_ids=card_ids)}
