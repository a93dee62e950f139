"""Flashcard study with FSRS: the review loop and the pages around it (stats, settings, suspended, export)."""

from django.urls import path

from quiz.study.views import pages, review

urlpatterns = [
    path("study/", review.study, name="study"),
    path("study/review/", review.study_review, name="study_review"),
    path("study/undo/", review.study_undo, name="study_undo"),
    path("study/more-new/", review.study_more_new, name="study_more_new"),
    path("study/card/<int:card_id>/<str:action>/", review.study_card_action, name="study_card_action"),
    path("study/stats/", pages.study_stats_page, name="study_stats"),
    path("study/settings/", pages.study_settings_page, name="study_settings"),
    path("study/settings/optimize/", pages.study_optimize, name="study_optimize"),
    path("study/settings/time-zone/", pages.study_time_zone, name="study_time_zone"),
    path("study/suspended/", pages.study_suspended, name="study_suspended"),
    path("study/export/<str:kind>", pages.study_export, name="study_export"),
    path("study/import/", pages.study_import, name="study_import"),
]
