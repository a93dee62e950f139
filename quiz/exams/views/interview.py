"""Mock interview pages: setup, the timed question page with autosave, the report with grading progress, history.

A user only ever reaches their own interviews (others' are 404). The server's deadline decides everything timed.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from demos.services import worker_alive
from quiz.exams.forms import (
    InterviewAnswerForm,
    InterviewOpenForm,
    InterviewScheduleForm,
    InterviewStartForm,
    KeyPointContestForm,
)
from quiz.exams.models import Interview, InterviewAnswer
from quiz.exams.services import interview as svc
from quiz.exams.services import interview_contest
from quiz.exams.services import interview_study as study_handoff
from quiz.exams.services.grading import MAX_ANSWER_CHARS
from quiz.exams.services.interview_report import (
    WEAK_SCORE,
    interview_history,
    interview_report,
    interview_weak_to_study,
)
from quiz.study.services.study import StudyError
from quizsite.routing import QUEUE_CPU

RETRY_AFTER = timedelta(minutes=2)  # grading this long without finishing offers a retry (a lost task)
MESSAGE_TIME_UP = "Time is up: the interview was finished and is being graded."


def _own(request, interview_id: int) -> Interview:
    return get_object_or_404(Interview, pk=interview_id, user=request.user)


def _report_url(interview: Interview) -> str:
    return reverse("quiz:interview_report", kwargs={"interview_id": interview.pk})


@login_required
def interview_start(request):
    form = InterviewStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            interview = svc.interview_start(user=request.user, **form.cleaned_data)
        except svc.InterviewError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(interview)
    running = Interview.objects.filter(user=request.user, status=Interview.Status.IN_PROGRESS).first()
    return render(request, "exams/interview/start.html", {"form": form, "running": running})


@login_required
def interview_detail(request, interview_id: int):
    """The open question; read-only (opening another question is a POST to interview_open). After the deadline,
    finishing happens here."""
    interview = _own(request, interview_id)
    if not interview.is_open:
        return redirect(_report_url(interview))
    if timezone.now() >= interview.deadline:
        svc.interview_finish(interview=interview)
        messages.info(request, MESSAGE_TIME_UP)
        return redirect(_report_url(interview))
    answers = list(interview.answers.select_related("card__topic"))
    current = answers[interview.current_position]
    context = {
        "interview": interview, "answers": answers, "answer": current, "number": current.position + 1,
        "remaining": interview.remaining_seconds, "max_chars": MAX_ANSWER_CHARS,
        "all_submitted": all(a.submitted_at for a in answers),
    }  # fmt: skip
    return render(request, "exams/interview/question.html", context)


@login_required
@require_POST
def interview_open(request, interview_id: int):
    """Open question ``q`` (from 1): the time from now on counts for it."""
    interview = _own(request, interview_id)
    form = InterviewOpenForm(request.POST)
    if form.is_valid() and interview.is_open and timezone.now() < interview.deadline:
        try:
            svc.interview_open(interview=interview, position=form.cleaned_data["q"] - 1)
        except svc.InterviewError as exc:
            messages.error(request, str(exc))
    return redirect(interview)


@login_required
@require_POST
def interview_answer(request, interview_id: int, number: int):
    """Submit, skip, flag or unflag the question ``number`` (the text is saved in every case)."""
    interview = _own(request, interview_id)
    form = InterviewAnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The answer could not be read; please try again.")
        return redirect(interview)
    text, rev, action = form.cleaned_data["text"], form.cleaned_data["rev"], form.cleaned_data["action"] or "submit"
    position = number - 1
    try:
        if action in ("flag", "unflag"):
            svc.interview_answer_save(interview=interview, position=position, text=text, rev=rev)
            svc.interview_answer_flag(interview=interview, position=position, flagged=action == "flag")
        elif action == "skip":
            result = svc.interview_answer_skip(interview=interview, position=position, text=text, rev=rev)
        else:
            result = svc.interview_answer_submit(interview=interview, position=position, text=text, rev=rev)
    except svc.InterviewError as exc:
        messages.error(request, str(exc))
        return redirect(_report_url(interview) if not _own(request, interview_id).is_open else interview)
    if action not in ("flag", "unflag"):
        if result.capped:
            messages.warning(request, svc.MESSAGE_CAPPED)
        if result.late:
            messages.warning(request, svc.MESSAGE_LATE)
    if timezone.now() >= interview.deadline:
        svc.interview_finish(interview=interview)
        messages.info(request, MESSAGE_TIME_UP)
        return redirect(_report_url(interview))
    return redirect(interview)


@login_required
@require_POST
def interview_draft(request, interview_id: int, number: int):
    """Autosave (every few seconds, on blur, and by sendBeacon when the page goes away). JSON, idempotent."""
    interview = _own(request, interview_id)
    form = InterviewAnswerForm(request.POST)
    if not form.is_valid():
        return JsonResponse({"error": "Bad request."}, status=400)
    try:
        result = svc.interview_answer_save(interview=interview, position=number - 1, text=form.cleaned_data["text"],
                                           rev=form.cleaned_data["rev"])  # fmt: skip
    except svc.InterviewError as exc:
        return JsonResponse({"error": str(exc), "redirect": _report_url(interview)}, status=409)
    return JsonResponse({
        "saved": not result.stale, "stale": result.stale, "late": result.late,
        "capped": svc.MESSAGE_CAPPED if result.capped else "", "remaining": interview.remaining_seconds,
    })  # fmt: skip


@login_required
@require_POST
def interview_finish(request, interview_id: int):
    """Finish early. The page sends the open answer along (with a revision; without script it sends none)."""
    interview = _own(request, interview_id)
    form = InterviewAnswerForm(request.POST)
    number = form.cleaned_data.get("number") if form.is_valid() else None
    if form.is_valid() and form.cleaned_data["rev"] is not None and number and interview.is_open:
        try:
            svc.interview_answer_save(interview=interview, position=number - 1, text=form.cleaned_data["text"],
                                      rev=form.cleaned_data["rev"])  # fmt: skip
        except svc.InterviewError:
            pass  # finished meanwhile (another tab): nothing left to save
    interview = svc.interview_finish(interview=interview)
    return redirect(_report_url(interview))


@login_required
def interview_report_view(request, interview_id: int):
    interview = _own(request, interview_id)
    if interview.is_open:
        return redirect(interview)
    report = interview_report(interview=interview)
    items = interview_contest.report_items(answers=report.answers)
    context = {
        "report": report,
        "items": items,
        "machine_score": interview_contest.machine_score(answers=report.answers),
        "ratings": study_handoff.RATING_CHOICES,
        "bands": study_handoff.BAND_LOWEST,
        "unsaved": any(not item["study"].saved for item in items if item["answer"].graded_at),
        "weak_score": WEAK_SCORE,
        **_progress_context(interview),
    }
    return render(request, "exams/interview/report.html", context)


@login_required
@require_POST
def interview_contest_view(request, interview_id: int, answer_id: int, index: int):
    """The learner's "I did cover this" / "I did not" / undo on a key point. htmx gets the answer's block back."""
    interview = _own(request, interview_id)
    form = KeyPointContestForm(request.POST)
    if not form.is_valid():
        messages.error(request, interview_contest.ERROR_VERDICT)
        return redirect(_report_url(interview))
    get_object_or_404(InterviewAnswer, pk=answer_id, interview=interview)
    verdict = form.cleaned_data["verdict"]
    try:
        if verdict == "undo":
            answer = interview_contest.key_point_contest_undo(user=request.user, answer_id=answer_id, index=index)
        else:
            answer = interview_contest.key_point_contest(user=request.user, answer_id=answer_id, index=index,
                                                         verdict=verdict)  # fmt: skip
    except interview_contest.ContestError as exc:
        if request.htmx:
            return HttpResponse(str(exc), status=409)
        messages.error(request, str(exc))
        return redirect(_report_url(interview))
    if not request.htmx:
        return redirect(f"{_report_url(interview)}#answer-{answer.pk}")
    answers = list(answer.interview.answers.select_related("card__topic").order_by("position"))
    item = next(item for item in interview_contest.report_items(answers=answers) if item["answer"].pk == answer.pk)
    context = {
        "interview": answer.interview, "item": item, "machine_score": interview_contest.machine_score(answers=answers),
        "oob": True, "ratings": study_handoff.RATING_CHOICES,
    }  # fmt: skip
    return render(request, "exams/interview/_contest.html", context)


@login_required
@require_POST
def interview_schedule(request, interview_id: int):
    """Record each graded answer as an FSRS review of its card, with the ratings chosen on the report."""
    interview = _own(request, interview_id)
    answer_ids = list(interview.answers.values_list("pk", flat=True))
    form = InterviewScheduleForm(request.POST, answer_ids=answer_ids)
    if not form.is_valid():
        messages.error(request, study_handoff.ERROR_RATING)
        return redirect(_report_url(interview))
    try:
        result = study_handoff.interview_reviews_save(user=request.user, interview=interview,
                                                        ratings=form.ratings())  # fmt: skip
    except StudyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, result.message)
    return redirect(f"{_report_url(interview)}#study-schedule")


def _progress_context(interview: Interview) -> dict:
    stuck = interview.status == Interview.Status.GRADING and interview.finished_at is not None
    stuck = stuck and timezone.now() - interview.finished_at > RETRY_AFTER
    return {"interview": interview, "total": interview.answers.count(), "worker_alive": worker_alive(queue=QUEUE_CPU),
            "user_jobs": settings.CAPACITY_USER_JOBS,
            "can_retry": interview.status == Interview.Status.FAILED or stuck}  # fmt: skip


@login_required
def interview_progress(request, interview_id: int):
    """Polled by the report page while grading runs; once graded, htmx reloads the page to show the report."""
    interview = _own(request, interview_id)
    if worker_alive(queue=QUEUE_CPU):  # with none, the message waits in the queue: nothing was lost
        svc.interview_grade_nudge(interview=interview)
    if interview.status == Interview.Status.GRADED:
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(request, "exams/interview/_progress.html", _progress_context(interview))


@login_required
@require_POST
def interview_retry(request, interview_id: int):
    interview = svc.interview_grade_retry(interview=_own(request, interview_id))
    return redirect(_report_url(interview))


@login_required
@require_POST
def interview_study(request, interview_id: int):
    interview = _own(request, interview_id)
    added = interview_weak_to_study(user=request.user, interview=interview)
    messages.success(request, f"Added {added} weak card{'s' if added != 1 else ''} to your study deck, due now.")
    return redirect(_report_url(interview))


@login_required
def interview_history_view(request):
    svc.interviews_finish_overdue(user=request.user)
    return render(request, "exams/interview/history.html", interview_history(user=request.user))
