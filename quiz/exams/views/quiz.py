"""Multiple-choice quiz pages. A user only ever reaches their own quizzes (others' are 404)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from quiz.exams.forms import QuizAnswerForm, QuizStartForm
from quiz.exams.models import Quiz
from quiz.exams.selectors import quiz_of_user
from quiz.exams.services.quiz import QuizError, quiz_answer, quiz_create, quiz_missed_to_study

RECENT_QUIZZES = 8


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
    return render(request, "exams/quiz/start.html", {"form": form, "recent": recent})


@login_required
def quiz_detail(request, quiz_id: int):
    """The next unanswered question, the feedback on the one just answered (``?shown=N``), or the results."""
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    questions = list(quiz.questions.select_related("card__topic"))
    shown = request.GET.get("shown", "")
    if shown.isdigit() and quiz.feedback == Quiz.Feedback.IMMEDIATE and 1 <= int(shown) <= len(questions):
        question = questions[int(shown) - 1]
        if question.chosen_index is not None:
            following = next((q for q in questions if q.chosen_index is None), None)
            return render(request, "exams/quiz/question.html",
                          {"quiz": quiz, "question": question, "total": len(questions), "feedback": True,
                           "next_question": following})  # fmt: skip
    question = next((q for q in questions if q.chosen_index is None), None)
    if question is None:
        return _results(request, quiz, questions)
    form = QuizAnswerForm(options=len(question.options))
    return render(request, "exams/quiz/question.html",
                  {"quiz": quiz, "question": question, "total": len(questions), "form": form})  # fmt: skip


def _results(request, quiz, questions):
    correct = sum(1 for q in questions if q.correct)
    missed = [q for q in questions if q.correct is False]
    context = {"quiz": quiz, "questions": questions, "correct": correct, "total": len(questions), "missed": missed,
               "percent": round(100 * correct / len(questions)) if questions else 0}  # fmt: skip
    return render(request, "exams/quiz/results.html", context)


@login_required
@require_POST
def quiz_answer_view(request, quiz_id: int, number: int):
    quiz = quiz_of_user(user=request.user, quiz_id=quiz_id)
    question = get_object_or_404(quiz.questions, position=number - 1)
    form = QuizAnswerForm(request.POST, options=len(question.options))
    if not form.is_valid():
        messages.error(request, "Choose one of the options.")
        return redirect(quiz)
    try:
        quiz_answer(quiz=quiz, position=number - 1, choice=form.cleaned_data["choice"])
    except QuizError as exc:
        messages.error(request, str(exc))
    if quiz.feedback == Quiz.Feedback.IMMEDIATE:
        return redirect(f"{quiz.get_absolute_url()}?shown={number}")
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
