"""Coding exercises: list, editor page, run, results, save (names in the shared "quiz" namespace)."""

from django.urls import path

from quiz.exercises import views

urlpatterns = [
    path("exercises/", views.exercise_list, name="exercises"),
    path("exercises/<slug:slug>/", views.exercise_detail, name="exercise_detail"),
    path("exercises/<slug:slug>/run/", views.exercise_run, name="exercise_run"),
    path("exercises/<slug:slug>/save/", views.exercise_save, name="exercise_save"),
    path("exercises/attempt/<int:attempt_id>/", views.exercise_attempt, name="exercise_attempt"),
]
