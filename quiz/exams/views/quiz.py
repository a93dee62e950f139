"""Quiz pages (multiple choice, true/false, typed answer, match). A user only ever reaches their own quizzes (others'
are 404). Nothing here loads a model: typed answers are graded on the worker and polled for."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from quiz.bank.models import Card
from quiz.exams.forms import MatchPairForm, QuizAnswerForm, QuizStartForm, QuizTypedForm
from quiz.exams.models import Quiz, QuizQuestion
from quiz.exams.selectors import quiz_of_user
from quiz.exams.services import quiz_grading, quiz_match
from quiz.exams.services.quiz import (
    QuizError,
    card_kinds,
    question_feedback,
    quiz_answer,
    quiz_answer_typed,
    quiz_create,
    quiz_missed_to_study,
)

RECENT_QUIZZES = 8
Kind = QuizQuestion.Kind


@login_required
def quiz_start(request):
    form = QuizStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            quiz = quiz_create(user=request.user, **form.cleaned_data)
        except QuizError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(quiz)
    recent = Quiz.objects.filter(user=request.user).prefetch_related("questions")[:RECENT_QUIZZES]
    cards = Card.objects.in_use().exclude(answer="").only("quiz_items", "answer", "key_points")
    without_items = sum(1 for card in cards if Kind.MCQ not in card_kinds(card))
    return render(request, "exams/quiz/start.html", {
        "form": form, "recent": recent, "without_items": without_items,
        "best_match": quiz_match.match_best(user=request.user),
    })  # fmt: skip


def _question_page(request, quiz, question, total, *, form=None, feedback=False, following=None, status=200):
    context = {"quiz": quiz, "question": question, "total": total, "feedback": feedback, "next_question": following}
    if feedback:
        context["why"] = question_feedback(question)
    elif question.kind == Kind.TYPED:
        context["form"] = form or QuizTypedForm()
    else:
        context["form"] = form or QuizAnswerForm(options=len(question.options))
    return render(request, "exams/quiz/question.html", context, status=status)


@login_required
def quiz_detail(request, quiz_id: int):
    """The next unanswered question, the feedback on the one just answered (``?shown=N``), the match board, or
    the results."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    questions = list(quiz.questions.select_related("card__topic"))
    if quiz.format == Quiz.Format.MATCH:
        return _match(request, quiz, questions)
    shown = request.GET.get("shown", "")
    if shown.isdigit() and quiz.feedback == Quiz.Feedback.IMMEDIATE and 1 <= int(shown) <= len(questions):
        question = questions[int(shown) - 1]
        if question.answered:
            following = next((q for q in questions if not q.answered), None)
            return _question_page(request, quiz, question, len(questions), feedback=True, following=following)
    question = next((q for q in questions if not q.answered), None)
    if question is None:
        return _results(request, quiz, questions)
    return _question_page(request, quiz, question, len(questions))


def _results(request, quiz, questions):
    correct = sum(1 for q in questions if q.correct)
    missed = [q for q in questions if q.correct is False]
    pending = any(q.kind == Kind.TYPED and q.graded_at is None for q in questions)
    if pending:
        quiz_grading.quiz_grade_nudge(quiz=quiz)
    items = [{"question": q, "why": question_feedback(q)} for q in questions]
    context = {"quiz": quiz, "items": items, "correct": correct, "total": len(questions), "missed": missed,
               "pending": pending, "percent": round(100 * correct / len(questions)) if questions else 0}  # fmt: skip
    return render(request, "exams/quiz/results.html", context)


def _match(request, quiz, questions):
    if quiz.match_seconds is None:
        quiz_match.match_open(quiz=quiz)
    board = questions[0].options if questions else []
    paired = {q.chosen_index for q in questions if q.answered}
    context = {
        "quiz": quiz, "questions": questions, "board": board, "paired": paired,
        "elapsed": quiz_match.match_elapsed(quiz=quiz), "penalty": quiz_match.PENALTY_SECONDS,
        "best": quiz_match.match_best(user=request.user, exclude=quiz),
        "missed": [q for q in questions if q.correct is False],
    }  # fmt: skip
    return render(request, "exams/quiz/match.html", context)


@login_required
@require_POST
def quiz_answer_view(request, quiz_id: int, number: int):
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    question = get_object_or_404(quiz.questions.select_related("card__topic"), position=number - 1)
    if question.kind == Kind.MATCH:
        return redirect(quiz)
    typed = question.kind == Kind.TYPED
    form = QuizTypedForm(request.POST) if typed else QuizAnswerForm(request.POST, options=len(question.options))
    if not form.is_valid():
        if typed:  # the page again, the text kept, the error beside it
            return _question_page(request, quiz, question, quiz.questions.count(), form=form, status=400)
        messages.error(request, "Choose one of the options.")
        return redirect(quiz)
    try:
        if typed:
            quiz_answer_typed(quiz=quiz, position=number - 1, text=form.cleaned_data["text"])
        else:
            quiz_answer(quiz=quiz, position=number - 1, choice=form.cleaned_data["choice"])
    except QuizError as exc:
        messages.error(request, str(exc))
    if quiz.feedback == Quiz.Feedback.IMMEDIATE:
        return redirect(f"{quiz.get_absolute_url()}?shown={number}")
    return redirect(quiz)


@login_required
def quiz_grade_status(request, quiz_id: int, number: int):
    """The grade of a typed answer, polled by its feedback page until the worker has written it."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    question = get_object_or_404(quiz.questions.select_related("card"), position=number - 1, kind=Kind.TYPED)
    if question.answered and question.graded_at is None and quiz_grading.quiz_grade_nudge(quiz=quiz):
        quiz.refresh_from_db(fields=["grading_queued_at"])
    return render(request, "exams/quiz/_typed_grade.html", {"quiz": quiz, "question": question, "with_study": True})


@login_required
@require_POST
def quiz_grade_retry(request, quiz_id: int, number: int):
    """Send typed answers whose grading failed to the worker again; htmx gets the polling grade back."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    question = get_object_or_404(quiz.questions, position=number - 1, kind=Kind.TYPED)
    quiz_grading.quiz_grade_retry(quiz=quiz)
    if request.htmx:
        question.refresh_from_db()
        return render(request, "exams/quiz/_typed_grade.html", {"quiz": quiz, "question": question, "with_study": True})
    return redirect(quiz)


@login_required
@require_POST
def quiz_match_pair(request, quiz_id: int):
    """One pairing on a match board; JSON for the board's script, a redirect back to the board otherwise."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = MatchPairForm(request.POST)
    try:
        if not form.is_valid():
            raise QuizError(quiz_match.ERROR_PAIR)
        result = quiz_match.match_pair(quiz=quiz, position=form.cleaned_data["number"] - 1,
                                       choice=form.cleaned_data["choice"])  # fmt: skip
    except QuizError as exc:
        if wants_json:
            return JsonResponse({"error": str(exc)}, status=400)
        messages.error(request, str(exc))
        return redirect(quiz)
    quiz.refresh_from_db()
    if wants_json:
        return JsonResponse({"right": result.right, "finished": result.finished, "seconds": result.seconds,
                             "best": result.best, "mistakes": quiz.match_mistakes,
                             "elapsed": quiz_match.match_elapsed(quiz=quiz), "url": quiz.get_absolute_url()})  # fmt: skip
    if not result.right:
        messages.error(request, f"Not a pair: {quiz_match.PENALTY_SECONDS:g} second added.")
    return redirect(quiz)


@login_required
@require_POST
def quiz_study(request, quiz_id: int):
    """Missed cards into the study deck, due now: one card (``card_id``) or all of them."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    card_id = request.POST.get("card_id", "")
    card_ids = [int(card_id)] if card_id.isdigit() else None
    added = quiz_missed_to_study(user=request.user, quiz=quiz, card_ids=card_ids)
    if request.htmx:
        return render(request, "exams/quiz/_study_added.html", {"added": added, "all": card_ids is None})
    messages.success(request, f"Added {added} card{'s' if added != 1 else ''} to your study deck, due now.")
    return redirect(quiz)
