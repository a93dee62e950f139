from celery import Celery

from quizsite.environment import environment_prepare

environment_prepare()

app = Celery("quizsite")
app.config_from_object("django.conf:settings", namespace="CELERY")
# Each app's tasks.py, beside its services; named packages rather than INSTALLED_APPS, so a package that is not
# (yet) an app of its own is found too. The task names are fixed in the decorators: queued messages carry them.
app.autodiscover_tasks(["demos", "quiz.bank", "quiz.exams", "quiz.exercises", "quizsite"])
