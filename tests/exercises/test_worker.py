"""End to end through a real Celery worker process on the real broker: Run -> task "exercises.run" -> sandbox on
the worker -> verdict on the page. One hostile run in between: the worker keeps serving."""

import time

import pytest
from django.urls import reverse

from quiz.exercises.models import Exercise, ExerciseAttempt
from tests.exercises.conftest import needs_bwrap

pytestmark = [pytest.mark.worker, needs_bwrap]


def _wait(attempt_id: int, timeout: float = 120) -> ExerciseAttempt:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        attempt = ExerciseAttempt.objects.get(pk=attempt_id)
        if attempt.status == "done":
            return attempt
        time.sleep(0.1)
    pytest.fail(f"attempt {attempt_id} still {attempt.status} after {timeout} s")


def test_runs_go_through_the_worker_and_it_survives_hostile_code(demo_worker, user, client, settings):
    from quiz.bank.services.bank import bank_load
    from quiz.exercises.services import exercises_load

    bank_load()
    exercises_load()
    client.force_login(user)
    exercise = Exercise.objects.get(slug="scaled-dot-product-attention")
    url = reverse("quiz:exercise_run", args=[exercise.slug])

    def run(code):
        response = client.post(url, {"code": code}, HTTP_ACCEPT="application/json")
        assert response.status_code == 200, response.content
        return _wait(response.json()["attempt"])

    first = run(exercise.solution)  # the worker's sandbox starts on its first exercise run (torch imported once)
    assert first.verdict == "passed", (first.message, first.results)
    assert first.worker == demo_worker.hostname and first.sandbox_start_seconds is not None

    bomb = run("import os\nwhile True:\n    os.fork()\n")
    assert bomb.verdict == "error" and bomb.message.startswith("Process limit")

    started = time.monotonic()
    warm = run(exercise.solution)
    elapsed = time.monotonic() - started
    assert warm.verdict == "passed" and warm.sandbox_start_seconds == 0.0
    assert elapsed < 10, elapsed  # generous on a shared 2-core machine; bench/exercises.py measures the goal
    page = client.get(reverse("quiz:exercise_attempt", args=[warm.pk])).content.decode()
    assert "All tests passed" in page
