from django.contrib import admin

from quiz.exam_models import Interview, InterviewAnswer, Quiz, QuizQuestion
from quiz.models import Card, CardSource, ImportRun, Topic
from quiz.study_models import StudyCard, StudyReview, StudySettings


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    prepopulated_fields = {"slug": ["name"]}


class CardSourceInline(admin.TabularInline):
    model = CardSource
    extra = 0
    readonly_fields = ["fingerprint", "source", "line", "import_run"]


@admin.register(Card)
class CardAdmin(admin.ModelAdmin):
    list_display = ["question", "topic", "difficulty", "origin", "demo_slug"]
    list_filter = ["topic", "difficulty", "origin"]
    search_fields = ["question", "answer", "slug"]
    inlines = [CardSourceInline]


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["started_at", "status", "finished_at"]
    readonly_fields = ["started_at", "finished_at", "status", "paths", "report", "error"]


# --- Per-user learning data: read-mostly views for support and debugging.


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


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    extra = 0
    fields = ["position", "card", "correct_index", "chosen_index", "correct", "answered_at"]
    readonly_fields = fields


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "finished_at", "feedback"]
    search_fields = ["user__username"]
    inlines = [QuizQuestionInline]


class InterviewAnswerInline(admin.TabularInline):
    model = InterviewAnswer
    extra = 0
    fields = ["position", "card", "submitted_at", "late", "skipped", "flagged", "score", "time_spent"]
    readonly_fields = fields


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["user", "started_at", "minutes", "status", "score"]
    list_filter = ["status", "mix"]
    search_fields = ["user__username"]
    inlines = [InterviewAnswerInline]
