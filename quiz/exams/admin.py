from django.contrib import admin

from quiz.exams.models import Interview, InterviewAnswer, Quiz, QuizQuestion


class QuizQuestionInline(admin.TabularInline):
    model = QuizQuestion
    extra = 0
    fields = [
        "position",
        "card",
        "kind",
        "correct_index",
        "chosen_index",
        "correct",
        "score",
        "mistakes",
        "answered_at",
    ]
    readonly_fields = fields


@admin.register(Quiz)
class QuizAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "format", "finished_at", "feedback", "match_seconds"]
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
