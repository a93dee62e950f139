"""quizsite/celery.py: the worker finds every app's tasks.py, under the names queued messages already carry."""

from demos.services import RUN_TASK
from quiz.exams.services.interview import GRADE_TASK


def test_the_worker_registers_each_task_under_its_stable_name():
    from quizsite.celery import app

    app.loader.import_default_modules()  # what `celery worker` does at start
    assert (RUN_TASK, GRADE_TASK) == ("demos.run", "quiz.interview_grade")
    assert app.tasks[RUN_TASK].__module__ == "demos.tasks"
    assert app.tasks[GRADE_TASK].__module__ == "quiz.exams.tasks"
