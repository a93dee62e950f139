"""Per-user learning data: read-mostly views for support and debugging."""

from django.contrib import admin

from quiz.study.models import StudyCard, StudyReview, StudySettings


@admin.register(StudySettings)
class StudySettingsAdmin(admin.ModelAdmin):
    list_display = ["user", "desired_retention", "new_per_day", "reviews_per_day", "time_zone", "day_start_hour"]
    search_fields = ["user__username"]


@admin.register(StudyCard)
class StudyCardAdmin(admin.ModelAdmin):
    list_display = ["user", "card", "state", "due", "reps", "lapses", "is_leech", "suspended"]
    list_filter = ["state", "is_leech", "suspended"]
    search_fields = ["user__username", "card__question"]
    raw_id_fields = ["user", "card"]


@admin.register(StudyReview)
class StudyReviewAdmin(admin.ModelAdmin):
    list_display = ["user", "card", "rating", "reviewed_at", "state_before", "state_after", "undone_at"]
    list_filter = ["rating", "state_before"]
    search_fields = ["user__username"]
    raw_id_fields = ["user", "card", "study_card"]
    readonly_fields = ["review_id", "before"]
