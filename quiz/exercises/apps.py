from django.apps import AppConfig


class ExercisesConfig(AppConfig):
    name = "quiz.exercises"
    label = "exercises"
    verbose_name = "Coding exercises"
