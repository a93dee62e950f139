from django.apps import AppConfig


class ExamsConfig(AppConfig):
    name = "quiz.exams"
    label = "exams"
    verbose_name = "Quizzes and mock interviews"
