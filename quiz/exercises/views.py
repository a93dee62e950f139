"""Exercise pages: the list, the editor page, Run (JSON for the editor, a redirect without JavaScript), the
attempt's results (an HTML fragment the editor polls), and saving the learner's code."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from demos.kinds import KINDS
from demos.services import worker_alive
from quiz.exercises.models import Exercise, ExerciseAttempt
from quiz.exercises.services import (
    ExerciseError,
    attempt_of_user,
    exercise_code_for,
    exercise_draft_save,
    exercise_run_start,
    exercises_with_progress,
)
from worker.sandbox import sandbox_unavailable_reason


@login_required
def exercise_list(request):
    rows = exercises_with_progress(user=request.user)
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row["exercise"].topic, []).append(row)
    solved = sum(1 for row in rows if row["state"] == "solved")
    return render(request, "exercises/index.html", {"groups": groups, "solved": solved, "total": len(rows)})


def _demo_url(exercise: Exercise) -> str:
    demo = KINDS.get(exercise.demo_slug)
    if demo is None:
        return ""
    query = demo.query_string(demo.prefill(exercise.demo_params or {}))
    return reverse("demos:detail", args=[demo.slug]) + (f"?{query}" if query else "")


@login_required
def exercise_detail(request, slug):
    exercise = get_object_or_404(Exercise.objects.select_related("card"), slug=slug)
    attempt = None
    if request.GET.get("attempt", "").isdigit():
        attempt = ExerciseAttempt.objects.filter(pk=int(request.GET["attempt"]), user=request.user).first()
    if attempt is None:
        attempt = ExerciseAttempt.objects.filter(user=request.user, exercise=exercise).first()
    demo = KINDS.get(exercise.demo_slug)
    context = {
        "exercise": exercise,
        "code": exercise_code_for(user=request.user, exercise=exercise),
        "attempt": attempt,
        "demo_url": _demo_url(exercise),
        "demo_title": demo.title if demo else "",
        "sandbox_reason": sandbox_unavailable_reason(),
        "user_jobs": settings.CAPACITY_USER_JOBS,
    }
    return render(request, "exercises/detail.html", context)


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def exercise_run(request, slug):
    exercise = get_object_or_404(Exercise, slug=slug)
    try:
        attempt = exercise_run_start(user=request.user, exercise=exercise, code=request.POST.get("code", ""))
    except ExerciseError as error:
        if _wants_json(request):
            return JsonResponse({"error": str(error)}, status=400)
        return render(request, "exercises/detail.html", {
            "exercise": exercise, "code": request.POST.get("code", ""), "error": str(error),
            "demo_url": _demo_url(exercise), "sandbox_reason": sandbox_unavailable_reason()}, status=400)  # fmt: skip
    results_url = reverse("quiz:exercise_attempt", args=[attempt.pk])
    if _wants_json(request):
        return JsonResponse({"attempt": attempt.pk, "results_url": results_url, "status": attempt.status})
    return redirect(reverse("quiz:exercise_detail", args=[slug]) + f"?attempt={attempt.pk}#results")


@login_required
def exercise_attempt(request, attempt_id):
    """The results fragment; `data-status` tells the editor whether to poll again."""
    try:
        attempt = attempt_of_user(user=request.user, attempt_id=attempt_id)
    except ExerciseAttempt.DoesNotExist:
        raise Http404 from None
    no_worker = not attempt.finished and not worker_alive()
    context = {"attempt": attempt, "no_worker": no_worker, "user_jobs": settings.CAPACITY_USER_JOBS}
    return render(request, "exercises/_results.html", context)


@login_required
@require_POST
def exercise_save(request, slug):
    exercise = get_object_or_404(Exercise, slug=slug)
    try:
        exercise_draft_save(user=request.user, exercise=exercise, code=request.POST.get("code", ""))
    except ExerciseError as error:
        return JsonResponse({"error": str(error)}, status=400)
    return HttpResponse(status=204)
