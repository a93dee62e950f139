"""Study statistics for one user, in the user's study days (time zone and day-start hour)."""

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from quiz.bank.models import Card, Topic
from quiz.study.models import StudyCard, StudyReview
from quiz.study.services.study import study_day_bounds, study_settings_get, study_zone

State = StudyCard.State
MATURE_DAYS = 21  # Anki: an interval of 21 days or more is mature
HEATMAP_DAYS = 365
PER_DAY_DAYS = 30
FORECAST_DAYS = 30
RETENTION_MONTHS = 12


def _study_date(moment: datetime, *, zone, hour: int) -> date:
    """The study day a moment belongs to: local time shifted back by the day-start hour."""
    return (moment.astimezone(zone) - timedelta(hours=hour)).date()


def study_streak(days_with_reviews: set[date], today: date) -> int:
    """Consecutive study days with a review, ending today (or yesterday, when today has none yet)."""
    day = today if today in days_with_reviews else today - timedelta(days=1)
    streak = 0
    while day in days_with_reviews:
        streak, day = streak + 1, day - timedelta(days=1)
    return streak


def study_stats(*, user, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    settings = study_settings_get(user=user)
    zone, hour = study_zone(settings=settings), settings.day_start_hour
    day_start, _ = study_day_bounds(settings=settings, now=now)
    today = _study_date(now, zone=zone, hour=hour)
    since = day_start - timedelta(days=HEATMAP_DAYS)

    reviews = StudyReview.objects.filter(user=user, undone_at__isnull=True, reviewed_at__gte=since)
    per_day = Counter()
    per_day_rating = defaultdict(Counter)
    retention = defaultdict(lambda: {"passed": 0, "total": 0, "mature_passed": 0, "mature_total": 0})
    seconds_today = 0
    rows = reviews.values_list("reviewed_at", "rating", "state_before", "interval_before", "duration_ms")
    for reviewed_at, rating, state_before, interval_before, duration_ms in rows.iterator():
        day = _study_date(reviewed_at, zone=zone, hour=hour)
        per_day[day] += 1
        per_day_rating[day][rating] += 1
        if day == today:
            seconds_today += (duration_ms or 0) / 1000
        if state_before == State.REVIEW:  # "true retention": answers to cards in review, not learning
            month = retention[day.strftime("%Y-%m")]
            month["total"] += 1
            month["passed"] += rating > 1
            if (interval_before or 0) >= MATURE_DAYS:
                month["mature_total"] += 1
                month["mature_passed"] += rating > 1

    months = []
    first_month = date(today.year, today.month, 1)
    for back in range(RETENTION_MONTHS - 1, -1, -1):
        year, month = divmod(first_month.month - 1 - back, 12)
        key = f"{first_month.year + year}-{month + 1:02d}"
        values = retention.get(key, {"passed": 0, "total": 0, "mature_passed": 0, "mature_total": 0})
        rate = values["passed"] / values["total"] if values["total"] else None
        mature = values["mature_passed"] / values["mature_total"] if values["mature_total"] else None
        months.append({"month": key, **values, "rate": rate, "mature_rate": mature})

    active = StudyCard.objects.filter(user=user, suspended=False).exclude(state=State.NEW)
    forecast = Counter()
    for due in active.values_list("due", flat=True).iterator():
        day = max(_study_date(due, zone=zone, hour=hour), today)  # overdue cards count as due today
        if (day - today).days < FORECAST_DAYS:
            forecast[day] += 1

    counts = StudyCard.objects.filter(user=user).aggregate(
        n_learning=Count("id", filter=Q(state=State.LEARNING, suspended=False)),
        n_relearning=Count("id", filter=Q(state=State.RELEARNING, suspended=False)),
        n_young=Count("id", filter=Q(state=State.REVIEW, suspended=False, stability__lt=MATURE_DAYS)),
        n_mature=Count("id", filter=Q(state=State.REVIEW, suspended=False, stability__gte=MATURE_DAYS)),
        n_suspended=Count("id", filter=Q(suspended=True)),
        n_buried=Count("id", filter=Q(buried_until__gt=now, suspended=False)),
        n_leeches=Count("id", filter=Q(is_leech=True)),
        n_started=Count("id", filter=~Q(state=State.NEW)),
    )
    counts = {key[2:]: value for key, value in counts.items()}  # n_ prefix: aliases may not shadow fields
    counts["new"] = Card.objects.in_use().count() - counts["started"]

    mature_by_topic = dict(
        StudyCard.objects.filter(user=user, stability__gt=MATURE_DAYS)
        .values_list("card__topic_id")
        .annotate(n=Count("id"))
    )
    mastery = [
        {"topic": topic, "cards": topic.n, "mature": mature_by_topic.get(topic.pk, 0),
         "share": mature_by_topic.get(topic.pk, 0) / topic.n}
        for topic in Topic.objects.annotate(n=Count("cards")).filter(n__gt=0)
    ]  # fmt: skip

    return {
        "today": today,
        "reviews_today": per_day[today],
        "minutes_today": round(seconds_today / 60, 1),
        "total_reviews": sum(per_day.values()),
        "streak": study_streak(set(per_day), today),
        "heatmap": [(today - timedelta(days=n), per_day[today - timedelta(days=n)]) for n in range(HEATMAP_DAYS)][::-1],
        "per_day": [
            (today - timedelta(days=n), [per_day_rating[today - timedelta(days=n)][r] for r in (1, 2, 3, 4)])
            for n in range(PER_DAY_DAYS - 1, -1, -1)
        ],
        "retention": months,
        "forecast": [(today + timedelta(days=n), forecast[today + timedelta(days=n)]) for n in range(FORECAST_DAYS)],
        "counts": counts,
        "mastery": mastery,
    }
