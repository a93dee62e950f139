"""Study pages around the study flow: statistics, settings and the optimizer, suspended cards, exports."""

import zoneinfo
from datetime import datetime
from functools import cache

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from quiz.study.forms import StudySettingsForm
from quiz.study.models import StudyCard
from quiz.study.services import charts
from quiz.study.services.anki import ERROR_TOO_BIG, MAX_PACKAGE_BYTES, AnkiImportError, anki_package_import
from quiz.study.services.export import deck_export_apkg, deck_export_csv, review_log_export_csv
from quiz.study.services.interview_plan import interview_forecast, interview_plan_apply
from quiz.study.services.optimize import OptimizeError, fsrs_params_optimize
from quiz.study.services.queue import Deck
from quiz.study.services.stats import study_stats
from quiz.study.services.study import study_settings_get

ERROR_NO_FILE = "Choose an Anki package (.apkg or .colpkg) to import."
ERROR_TIME_ZONE = "That time zone is not known; choose one in the study settings."


@login_required
def study_stats_page(request):
    stats = study_stats(user=request.user)
    context = {
        "stats": stats,
        "heatmap": charts.heatmap(stats["heatmap"]),
        "per_day": charts.reviews_per_day(stats["per_day"]),
        "retention": charts.retention(stats["retention"]),
        "forecast": charts.forecast(stats["forecast"]),
        "states": charts.card_states(stats["counts"]),
        "mastery": charts.mastery(stats["mastery"]),
    }
    return render(request, "study/stats.html", context)


def _optimize_context(user, *, error: str = "") -> dict:
    report = study_settings_get(user=user).optimize_report or {}
    if "evaluation" not in report and "message" not in report:
        report = {}  # a report from the former queued optimizer: nothing to show
    rows = []
    if report.get("old") and report.get("new"):
        rows = [(i, old, new) for i, (old, new) in enumerate(zip(report["old"], report["new"], strict=True))]
    retention = report.get("retention") or {}
    chart = None
    if retention.get("workload"):
        chart = charts.retention_workload(retention["workload"], suggested=retention["suggested_retention"])
    return {
        "report": report,
        "report_at": datetime.fromisoformat(report["at"]) if report.get("at") else None,
        "param_rows": rows,
        "workload_chart": chart,
        "error": error,
    }


@login_required
def study_settings_page(request):
    settings = study_settings_get(user=request.user)
    form = StudySettingsForm(request.POST or None, instance=settings)
    if request.method == "POST" and form.is_valid():
        form.save()
        if {"interview_date", "interview_topics"} & set(form.changed_data):
            interview_plan_apply(user=request.user)
        messages.success(request, "Study settings saved.")
        return redirect("quiz:study_settings")
    forecast = interview_forecast(user=request.user)
    context = {"form": form, "interview": forecast, **_optimize_context(request.user)}
    if forecast:
        context["interview_chart"] = charts.recall_forecast(forecast.curve, planned=forecast.expected_recall)
    return render(request, "study/settings.html", context)


@login_required
@require_POST
def study_optimize(request):
    """Fit, evaluate and suggest in the request (well under a second); htmx swaps in the report."""
    error = ""
    try:
        fsrs_params_optimize(user=request.user)
    except OptimizeError as problem:
        error = str(problem)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect("quiz:study_settings")
    return render(request, "study/_optimize.html", _optimize_context(request.user, error=error))


@login_required
def study_suspended(request):
    rows = (
        StudyCard.objects.filter(user=request.user)
        .exclude(suspended=False, buried_until__isnull=True)
        .select_related("card__topic")
        .order_by("-is_leech", "card__topic__position", "card_id")
    )
    now = timezone.now()
    cards = [row for row in rows if row.suspended or row.buried_until > now]
    return render(request, "study/suspended.html", {"cards": cards})


def _download(content, *, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def study_export(request, kind: str):
    if kind not in {"deck.apkg", "deck.csv", "reviews.csv"}:
        raise Http404("No such export.")
    deck = Deck.from_query(request.GET)
    stamp = timezone.now().strftime("%Y%m%d")
    if kind == "deck.apkg":
        return _download(deck_export_apkg(user=request.user, deck=deck), filename=f"attentiondeck-{stamp}.apkg",
                         content_type="application/apkg")  # fmt: skip
    if kind == "deck.csv":
        return _download(deck_export_csv(user=request.user, deck=deck), filename=f"attentiondeck-{stamp}.csv",
                         content_type="text/csv; charset=utf-8")  # fmt: skip
    return _download(review_log_export_csv(user=request.user), filename=f"attentiondeck-reviews-{stamp}.csv",
                     content_type="text/csv; charset=utf-8")  # fmt: skip


@login_required
def study_import(request):
    """Upload an Anki package: scheduling and review history of the bank's cards come into the user's study."""
    report, error = None, ""
    if request.method == "POST":
        upload = request.FILES.get("package")
        if upload is None:
            error = ERROR_NO_FILE
        elif upload.size > MAX_PACKAGE_BYTES:
            error = ERROR_TOO_BIG
        else:
            try:
                report = anki_package_import(user=request.user, package=upload.read())
            except AnkiImportError as problem:
                error = str(problem)
    return render(request, "study/import.html", {"report": report, "error": error}, status=400 if error else 200)


@login_required
@require_POST
def study_time_zone(request):
    """Save the time zone the browser reported (offered on the home and settings pages when it differs)."""
    zone = request.POST.get("time_zone", "")
    if zone in _zone_names():
        settings = study_settings_get(user=request.user)
        settings.time_zone = zone
        settings.save(update_fields=["time_zone", "updated_at"])
        messages.success(request, f"Study days now follow {zone}.")
    else:
        messages.error(request, ERROR_TIME_ZONE)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = reverse("quiz:study_settings")
    return redirect(target)


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())
