from django.apps import AppConfig


class BankConfig(AppConfig):
    name = "quiz.bank"
    label = "bank"
    verbose_name = "Question bank"
