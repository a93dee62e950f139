from django.contrib import admin

from quiz.exercises.models import Exercise, ExerciseAttempt, ExerciseDraft


@admin.register(Exercise)
class ExerciseAdmin(admin.ModelAdmin):
    list_display = ("position", "slug", "title", "topic", "difficulty", "card", "demo_slug")
    list_display_links = ("slug",)
    list_filter = ("topic", "difficulty")
    search_fields = ("slug", "title", "statement")
    raw_id_fields = ("card",)


@admin.register(ExerciseAttempt)
class ExerciseAttemptAdmin(admin.ModelAdmin):
    list_display = ("created_at", "user", "exercise", "status", "verdict", "run_seconds")
    list_filter = ("status", "verdict")
    search_fields = ("user__username", "exercise__slug")
    raw_id_fields = ("user", "exercise")
    readonly_fields = ("created_at", "started_at", "finished_at")


@admin.register(ExerciseDraft)
class ExerciseDraftAdmin(admin.ModelAdmin):
    list_display = ("updated_at", "user", "exercise")
    raw_id_fields = ("user", "exercise")
