"""The exercise pages and services on the real database, with the real sandbox run in-process (the worker path
is tests/exercises/test_worker.py): run, verdict per test, saved code, study deck, privacy, CSRF, no sandbox, a run
held for the learner's share of the workers."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from quiz.exercises.models import Exercise, ExerciseAttempt, ExerciseDraft
from quiz.exercises.services import exercise_run_execute
from quiz.study.models import StudyCard, StudyFlag
from quizsite.capacity import jobs_release
from tests.exercises.conftest import needs_bwrap

JSON = {"HTTP_ACCEPT": "application/json"}


def _run(client, exercise, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("quiz:exercise_run", args=[exercise.slug]), {"code": code}, **JSON)
    return response, callbacks


def test_the_list_groups_exercises_and_needs_a_login(user_client, exercises_loaded):
    assert Client().get(reverse("quiz:exercises")).status_code == 302
    page = user_client.get(reverse("quiz:exercises")).content.decode()
    assert "Scaled dot-product attention with a mask" in page and "<h2" in page and "0 of 33 solved" in page


def test_the_editor_page_shows_statement_hints_links_and_the_served_editor(user_client, exercises_loaded):
    exercise = Exercise.objects.get(slug="scaled-dot-product-attention")
    page = user_client.get(exercise.get_absolute_url()).content.decode()
    assert "/static/vendor/codemirror/editor.js" in page and "//cdn" not in page.lower()  # a CSRF token may hold "cdn"
    assert 'name="code"' in page and "def attention(" in page  # the starter, in the no-JavaScript textarea
    assert exercise.card.get_absolute_url() in page and "/demos/attention/" in page
    assert "How it is checked" in page and "Hint 1" in page and "<strong>" not in exercise.statement


@needs_bwrap
def test_a_passing_run_records_each_test_and_puts_the_card_in_the_study_deck(
    user, user_client, exercises_loaded, django_capture_on_commit_callbacks
):
    exercise = Exercise.objects.get(slug="scaled-dot-product-attention")
    response, callbacks = _run(user_client, exercise, exercise.solution, django_capture_on_commit_callbacks)
    data = response.json()
    assert response.status_code == 200 and data["status"] == "queued" and len(callbacks) == 1  # sent after commit
    assert ExerciseDraft.objects.get(user=user, exercise=exercise).code == exercise.solution

    attempt = exercise_run_execute(attempt_id=data["attempt"], worker="in-process")
    assert attempt.verdict == "passed" and attempt.passed_count == len(attempt.results) == 4
    assert attempt.run_seconds > 0 and attempt.started_at <= attempt.finished_at
    assert StudyFlag.objects.filter(user=user, card=exercise.card, source="exercise").exists()
    assert StudyCard.objects.filter(user=user, card=exercise.card).exists()
    fragment = user_client.get(data["results_url"]).content.decode()
    assert 'data-status="done"' in fragment and "All tests passed" in fragment and "4 of 4 tests passed" in fragment
    assert "comes back for review" in fragment
    assert exercise_run_execute(attempt_id=attempt.pk) is None  # a finished attempt is never run twice
    listing = user_client.get(reverse("quiz:exercises")).content.decode()
    assert "1 of 33 solved" in listing


@needs_bwrap
def test_a_failing_run_shows_the_input_expected_and_got_escaped(
    user, user_client, exercises_loaded, django_capture_on_commit_callbacks
):
    exercise = Exercise.objects.get(slug="causal-mask")
    code = exercise.solution.replace(".tril()", ".triu()") + "\nprint('<script>alert(1)</script>')\n"
    response, _ = _run(user_client, exercise, code, django_capture_on_commit_callbacks)
    attempt = exercise_run_execute(attempt_id=response.json()["attempt"])
    assert attempt.verdict == "failed"
    fragment = user_client.get(reverse("quiz:exercise_attempt", args=[attempt.pk])).content.decode()
    assert "Input" in fragment and "Expected" in fragment and "Got" in fragment and "n = 2" in fragment
    assert "<script>alert" not in fragment and "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment
    assert not StudyFlag.objects.filter(user=user, source="exercise").exists()
    page = user_client.get(exercise.get_absolute_url()).content.decode()
    assert ".triu()" in page  # the learner's last code comes back


@needs_bwrap
def test_a_run_past_the_learners_share_waits_for_a_free_worker_then_runs(user, user_client, exercises_loaded, settings,
                                                                         django_capture_on_commit_callbacks):  # fmt: skip
    from demos.models import DemoRun
    from demos.services import demo_run_start

    settings.CAPACITY_USER_JOBS = 2
    with django_capture_on_commit_callbacks(execute=False):  # the learner's share taken by demo runs, queued
        demos = [demo_run_start(user=user, kind=kind, params={}) for kind in ("attention", "decoding")]
    exercise = Exercise.objects.get(slug="scaled-dot-product-attention")
    response, callbacks = _run(user_client, exercise, exercise.solution, django_capture_on_commit_callbacks)
    data = response.json()
    assert response.status_code == 200 and data["status"] == "queued" and not callbacks  # held: nothing sent
    fragment = user_client.get(data["results_url"]).content.decode()
    assert "Waiting for a free worker" in fragment and 'data-status="queued"' in fragment  # the editor polls on

    DemoRun.objects.filter(pk=demos[0].pk).update(status=DemoRun.Status.DONE)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert jobs_release() == 1
    assert len(callbacks) == 1 and ExerciseAttempt.objects.get(pk=data["attempt"]).queued_at is not None
    assert "Waiting for a free worker" not in user_client.get(data["results_url"]).content.decode()
    attempt = exercise_run_execute(attempt_id=data["attempt"], worker="in-process")
    fragment = user_client.get(data["results_url"]).content.decode()
    assert attempt.verdict == "passed" and "All tests passed" in fragment and "4 of 4 tests passed" in fragment


def test_code_is_saved_and_bad_input_is_refused_with_a_clear_error(user, user_client, exercises_loaded,
                                                                   django_capture_on_commit_callbacks):  # fmt: skip
    exercise = Exercise.objects.get(slug="rmsnorm")
    saved = user_client.post(reverse("quiz:exercise_save", args=[exercise.slug]), {"code": "x = 1\n"})
    assert saved.status_code == 204 and ExerciseDraft.objects.get(user=user).code == "x = 1\n"
    response, callbacks = _run(user_client, exercise, "   ", django_capture_on_commit_callbacks)
    assert response.status_code == 400 and response.json()["error"] == "There is no code to run." and not callbacks
    response, _ = _run(user_client, exercise, "x = 1\n" * 5000, django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "limit is 20000" in response.json()["error"]
    assert ExerciseDraft.objects.get(user=user).code == "x = 1\n"  # nothing lost
    assert not ExerciseAttempt.objects.exists()


def test_one_run_at_a_time(user_client, exercises_loaded, django_capture_on_commit_callbacks):
    exercise = Exercise.objects.get(slug="rmsnorm")
    first, _ = _run(user_client, exercise, "x = 1", django_capture_on_commit_callbacks)
    second, callbacks = _run(user_client, exercise, "x = 2", django_capture_on_commit_callbacks)
    assert first.status_code == 200 and second.status_code == 400 and "already in progress" in second.json()["error"]


def test_attempts_are_private(user, other_user, client, exercises_loaded):
    exercise = Exercise.objects.get(slug="rmsnorm")
    attempt = ExerciseAttempt.objects.create(user=other_user, exercise=exercise, code="secret = 1", status="done",
                                             verdict="failed")  # fmt: skip
    client.force_login(user)
    assert client.get(reverse("quiz:exercise_attempt", args=[attempt.pk])).status_code == 404
    page = client.get(exercise.get_absolute_url(), {"attempt": attempt.pk}).content.decode()
    assert "secret = 1" not in page


def test_run_needs_the_csrf_token(user, exercises_loaded):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    exercise = Exercise.objects.get(slug="rmsnorm")
    response = client.post(reverse("quiz:exercise_run", args=[exercise.slug]), {"code": "x = 1"}, **JSON)
    assert response.status_code == 403 and not ExerciseAttempt.objects.exists()


def test_without_the_sandbox_exercises_show_but_never_run(user_client, exercises_loaded, monkeypatch,
                                                          django_capture_on_commit_callbacks):  # fmt: skip
    monkeypatch.setenv("PATH", "/nonexistent")  # no bwrap on PATH
    exercise = Exercise.objects.get(slug="layer-norm")
    page = user_client.get(exercise.get_absolute_url()).content.decode()
    assert "Running is unavailable" in page and "bubblewrap" in page and 'data-sandbox="off"' in page
    response, callbacks = _run(user_client, exercise, exercise.solution, django_capture_on_commit_callbacks)
    attempt = ExerciseAttempt.objects.get(pk=response.json()["attempt"])
    assert attempt.verdict == "unavailable" and not callbacks and attempt.results == []


def test_without_javascript_run_redirects_to_the_results(user_client, exercises_loaded,
                                                         django_capture_on_commit_callbacks):  # fmt: skip
    exercise = Exercise.objects.get(slug="layer-norm")
    with django_capture_on_commit_callbacks(execute=False):
        response = user_client.post(reverse("quiz:exercise_run", args=[exercise.slug]), {"code": "x = 1"})
    attempt = ExerciseAttempt.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"?attempt={attempt.pk}#results")
    page = user_client.get(response["Location"]).content.decode()
    assert 'http-equiv="refresh"' in page and 'data-status="queued"' in page
    fragment = user_client.get(reverse("quiz:exercise_attempt", args=[attempt.pk])).content.decode()
    assert "No worker is running" in fragment  # no heartbeat in this test database


def test_a_bad_exercise_file_is_refused_with_the_reason(exercises_loaded, tmp_path):
    from quiz.exercises.services import ExerciseError, exercises_load

    (tmp_path / "01-x.yaml").write_text(json.dumps({"slug": "x", "title": "X", "card": "no-such-card"}))
    with pytest.raises(ExerciseError, match="01-x.yaml: missing"):
        exercises_load(directory=tmp_path)


def test_the_card_links_to_its_exercise_on_its_page_and_in_the_study_review(user, user_client, exercises_loaded):
    from quiz.study.services.study import cards_add_to_study

    exercise = Exercise.objects.get(slug="rope")
    page = user_client.get(exercise.card.get_absolute_url()).content.decode()
    assert exercise.get_absolute_url() in page and "Write the code: Apply rotary position embedding" in page
    cards_add_to_study(user=user, card_ids=[exercise.card_id], source=StudyFlag.Source.EXERCISE)
    review = user_client.get(reverse("quiz:study"), {"flag": "exercise"}).content.decode()
    assert "Solved as a coding exercise" in review and exercise.get_absolute_url() in review
