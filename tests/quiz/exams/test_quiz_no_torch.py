"""Creating and answering quizzes of every format never loads torch in the web process: typed answers are graded
on the worker. The views run in a fresh Python process (this test process may have torch loaded by other tests)
against this test's committed database, and that process reports which heavy modules it imported."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.live_worker import database_url_for_tests
from tests.quiz.exam_helpers import make_cards

pytestmark = pytest.mark.django_db(transaction=True)
REPO_DIR = Path(__file__).resolve().parents[3]

SCRIPT = r"""
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.test import Client
from django.test.utils import setup_test_environment
from quiz.exams.models import Quiz

setup_test_environment()  # the test client's host allowed, as under pytest
client = Client()
client.force_login(get_user_model().objects.get(username=sys.argv[1]))
for quiz_format in ("mcq", "truefalse", "typed", "mixed", "match"):
    response = client.post("/quiz/", {"length": 5, "feedback": "immediate", "quiz_format": quiz_format})
    assert response.status_code == 302, (quiz_format, response.status_code)
    quiz = Quiz.objects.latest("pk")
    client.get(quiz.get_absolute_url())
    for question in quiz.questions.all():
        if question.kind == "match":
            client.post(f"/quiz/{quiz.pk}/match/", {"number": question.position + 1, "choice": question.correct_index})
        elif question.kind == "typed":
            client.post(f"/quiz/{quiz.pk}/q/{question.position + 1}/", {"text": "Values mixed by weights."})
            client.get(f"/quiz/{quiz.pk}/q/{question.position + 1}/grade/")
        else:
            client.post(f"/quiz/{quiz.pk}/q/{question.position + 1}/", {"choice": question.correct_index})
        client.get(f"{quiz.get_absolute_url()}?shown={question.position + 1}")
    client.get(quiz.get_absolute_url())
    quiz.refresh_from_db()
    assert quiz.finished_at, quiz_format
heavy = ("torch", "transformers", "sentence_transformers", "worker.embeddings")
print(json.dumps({"loaded": sorted(name for name in heavy if name in sys.modules), "quizzes": Quiz.objects.count()}))
"""


def test_creating_and_answering_every_format_loads_no_model_in_the_web_process(user):
    make_cards(8)
    env = {**os.environ, "DATABASE_URL": database_url_for_tests(connection.settings_dict),
           "CELERY_BROKER_URL": "memory://", "DJANGO_SETTINGS_MODULE": "quizsite.settings"}  # fmt: skip
    done = subprocess.run([sys.executable, "-c", SCRIPT, user.username], cwd=REPO_DIR, env=env, capture_output=True,
                          text=True, timeout=120)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report == {"loaded": [], "quizzes": 5}
