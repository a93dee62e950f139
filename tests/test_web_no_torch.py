"""The web process never imports torch: every page, and the forms that start work, in a fresh process."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.live_worker import database_url_for_tests
from tests.quiz.bank_helpers import vectors_store_by_topic

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.django_db(transaction=True)
def test_no_page_imports_torch(django_user_model, password, monkeypatch):
    from django.db import connection

    from quizsite.celery import app

    monkeypatch.setattr(app, "send_task", lambda *args, **kwargs: None)  # load_bank asks for embeddings
    call_command("load_bank", stdout=open(os.devnull, "w"))
    vectors_store_by_topic()  # the card page then reads stored vectors (related cards), as it does once embedded
    django_user_model.objects.create_superuser(username="walker", password=password)
    env = {**os.environ, "DATABASE_URL": database_url_for_tests(connection.settings_dict),
           "CELERY_QUEUE_SUFFIX": "-test-notorch", "CAPACITY_USER_JOBS": "20"}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "tests.web_pages_walk", "walker", password],
                          cwd=REPO, env={**env, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=300)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    print(report)
    assert report["pages"] > 60
    assert report["errors"] == []
    assert all(status in (200, 302) for status in report["starts"].values()), report["starts"]
    assert report["heavy"] == [], f"the web process imported {report['heavy']}"
