from django.contrib import admin

from quiz.exams.models import Interview, InterviewAnswer, KeyPointContest, Quiz, QuizQuestion


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
    fields = ["position", "card", "submitted_at", "late", "skipped", "flagged", "score", "contested_score",
              "study_rating", "time_spent"]  # fmt: skip
    readonly_fields = fields


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ["user", "started_at", "minutes", "status", "score"]
    list_filter = ["status", "mix"]
    search_fields = ["user__username"]
    inlines = [InterviewAnswerInline]


@admin.register(KeyPointContest)
class KeyPointContestAdmin(admin.ModelAdmin):
    """The learners' verdicts on key points: labelled data for the grader (read-only here)."""

    list_display = ["answer", "index", "machine_status", "verdict", "score_before", "score_after", "updated_at"]
    list_filter = ["machine_status", "verdict"]
    list_select_related = ["answer"]
    readonly_fields = ["answer", "index", "point", "machine_status", "verdict", "score_before", "score_after"]
