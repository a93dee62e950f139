"""JSON API for multiple-choice quizzes: start one, answer its questions, read it back, study the misses.

Session auth with CSRF like the rest of the API; a user only ever reaches their own quizzes (others' are 404).
The right option of a question is revealed once it is answered in an "immediate" quiz, else when the quiz ends.
"""

from datetime import datetime
from typing import Annotated, Literal

from ninja import Field, Router, Schema

from quiz.exams.models import Quiz
from quiz.exams.selectors import quiz_of_user
from quiz.exams.services.quiz import LENGTH_CHOICES, QuizError, quiz_answer, quiz_create, quiz_missed_to_study
from quizsite.input_policy import Id, Slug

Number = Annotated[int, Field(ge=1, le=100)]

router = Router(tags=["quiz"])


class QuizIn(Schema):
    topics: list[Slug] = Field(default_factory=list, max_length=20, description="Topic slugs; none means every topic.")
    difficulty: int | None = Field(None, ge=1, le=3)
    length: int = Field(10, ge=1, le=max(LENGTH_CHOICES))
    feedback: Literal["immediate", "end"] = "immediate"


class QuestionOut(Schema):
    number: int
    question: str
    topic: str
    options: list[str]
    chosen: int | None
    correct: bool | None = Field(description="Null until revealed.")
    correct_index: int | None = Field(description="Null until revealed.")
    card_slug: str | None = Field(description="The card this question tests, once revealed.")


class QuizOut(Schema):
    id: int
    feedback: str
    created_at: datetime
    finished_at: datetime | None
    total: int
    answered: int
    correct: int | None = Field(description="Right answers, once the quiz is finished.")
    questions: list[QuestionOut]


class AnswerIn(Schema):
    choice: int = Field(..., ge=0, le=100, description="Index into the question's options.")


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
        shown = finished or (quiz.feedback == Quiz.Feedback.IMMEDIATE and q.chosen_index is not None)
        out.append({"number": q.position + 1, "question": q.card.question, "topic": q.card.topic.slug,
                    "options": [option["text"] for option in q.options], "chosen": q.chosen_index,
                    "correct": q.correct if shown else None, "correct_index": q.correct_index if shown else None,
                    "card_slug": q.card.slug if shown else None})  # fmt: skip
    return {"id": quiz.pk, "feedback": quiz.feedback, "created_at": quiz.created_at, "finished_at": quiz.finished_at,
            "total": len(questions), "answered": sum(q.chosen_index is not None for q in questions),
            "correct": sum(bool(q.correct) for q in questions) if finished else None, "questions": out}  # fmt: skip


@router.post("/", response={201: QuizOut, 400: Error})
def quiz_start(request, payload: QuizIn):
    """A new quiz; distractors are the answers of the nearest cards (by MiniLM embedding)."""
    try:
        quiz = quiz_create(user=request.user, topics=payload.topics, difficulty=payload.difficulty,
                           length=payload.length, feedback=payload.feedback)  # fmt: skip
    except QuizError as error:
        return 400, {"detail": str(error)}
    return 201, _quiz_out(quiz)


@router.get("/{quiz_id}", response={200: QuizOut, 404: Error})
def quiz_read(request, quiz_id: Id):
    return _quiz_out(quiz_of_user(user=request.user, quiz_id=quiz_id))


@router.post("/{quiz_id}/questions/{number}/answer", response={200: QuizOut, 400: Error, 404: Error})
def quiz_question_answer(request, quiz_id: Id, number: Number, payload: AnswerIn):
    """Answer question `number` (from 1). The first answer counts; sending it again changes nothing."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    try:
        quiz_answer(quiz=quiz, position=number - 1, choice=payload.choice)
    except QuizError as error:
        return 400, {"detail": str(error)}
    return _quiz_out(quiz)  # quiz_answer sets finished_at on this instance when the last question is answered


@router.post("/{quiz_id}/study", response={200: StudyOut, 404: Error})
def quiz_study(request, quiz_id: Id, payload: StudyIn):
    """Put missed cards into the study deck, due now."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    card_ids = None
    if payload.card_slugs is not None:
        card_ids = list(quiz.questions.filter(card__slug__in=payload.card_slugs).values_list("card_id", flat=True))
    return {"added": quiz_missed_to_study(user=request.user, quiz=quiz, card_ids=card_ids)}
