from django.apps import AppConfig


class QuizConfig(AppConfig):
    """The former single app, kept installed only to own its historical migrations (0001-0003 built the quiz_*
    tables; 0004 hands the models over to bank, study and exams). It has no models, views or URLs of its own."""

    name = "quiz"
    verbose_name = "Quiz (migration history)"
