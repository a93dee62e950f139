from django.contrib import admin

from quiz.bank.models import Card, CardSource, ImportRun, Topic


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
