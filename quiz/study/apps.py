from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "quiz.study"
    label = "study"
    verbose_name = "Flashcard study"
