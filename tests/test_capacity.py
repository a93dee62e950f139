"""Fair share, cancel, queue place, broker-down fail-fast and the recovery sweep (quizsite/capacity.py), in-process:
what is sent to the broker is captured at `app.send_task`, with its queue from the one routing table. The kinds of
job: demo runs, interview gradings, typed-answer gradings (one per quiz), exercise runs."""

import random
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from demos import services as demo_services
from demos.models import DemoRun
from quiz.exams.models import Interview, Quiz
from quiz.exams.services import interview as interviews
from quiz.exams.services import quiz_grading
from quiz.exams.services.quiz import quiz_answer_typed, quiz_create
from quiz.exercises import services as exercises
from quiz.exercises.models import Exercise, ExerciseAttempt
from quizsite import capacity, routing
from tests.quiz.exam_helpers import bow_embed, make_cards

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """(task name, args, queue) of every message sent; on-commit callbacks run at once (captured below)."""
    from quizsite.celery import app

    calls = []

    def send_task(name, *, args, task_id=None, **options):
        calls.append((name, args, routing.task_queue(name)))

    monkeypatch.setattr(app, "send_task", send_task)
    return calls


def finished_interview(user, *, capture):
    interview = interviews.interview_start(user=user, topics=[], questions=2, minutes=5, rng=random.Random(1))
    with capture(execute=True):
        interviews.interview_finish(interview=interview)
    interview.refresh_from_db()
    return interview


def grading_sends(sent):
    return [args[0] for name, args, _ in sent if name == interviews.GRADE_TASK]


def answered_typed_quiz(user, *, capture) -> Quiz:
    """A one-question typed-answer quiz, answered: one grading job."""
    quiz = quiz_create(user=user, topics=[], difficulty=None, length=1, quiz_format="typed", rng=random.Random(1))
    with capture(execute=True):
        quiz_answer_typed(quiz=quiz, position=0, text="It mixes values with weights, in parallel.")
    quiz.refresh_from_db()
    return quiz


def an_exercise() -> Exercise:
    return Exercise.objects.create(slug="sum", title="Sum", topic="Basics", statement="Add.", starter="x = 0\n",
                                   tests="def test_sum(check):\n    pass\n", solution="x = 1\n")  # fmt: skip


def exercise_run(user, exercise, *, capture) -> ExerciseAttempt:
    """A Run of the learner's code (the sandbox is there: no reason given). The learner's earlier runs are moved back
    past ACTIVE_RUN_SECONDS first, as if minutes had passed: one run at a time would refuse this one otherwise."""
    past = timedelta(seconds=exercises.ACTIVE_RUN_SECONDS + 1)
    for earlier in ExerciseAttempt.objects.filter(user=user):
        ExerciseAttempt.objects.filter(pk=earlier.pk).update(created_at=earlier.created_at - past)
    with capture(execute=True):
        attempt = exercises.exercise_run_start(user=user, exercise=exercise, code="x = 1\n", sandbox_reason="")
    attempt.refresh_from_db()
    return attempt


def sends_of(sent, task):
    return [args[0] for name, args, _ in sent if name == task]


def test_every_task_is_routed_from_the_one_table():
    from quizsite.celery import app

    app.loader.import_default_modules()
    ours = {name for name in app.tasks if not name.startswith("celery.")}
    assert ours <= set(routing.TASK_QUEUES), "a task missing from quizsite/routing.py goes to the demos queue"
    assert routing.task_queue("demos.run") == "demos"
    cpu_tasks = ("quiz.interview_grade", "quiz.quiz_typed_grade", "bank.embed", "exercises.run")
    assert {routing.task_queue(name) for name in cpu_tasks} == {"cpu"}


def test_a_flood_of_gradings_from_one_user_sends_only_their_share(user, other_user, sent, client,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    make_cards(6)
    flood = [finished_interview(user, capture=django_capture_on_commit_callbacks) for _ in range(8)]
    share = settings.CAPACITY_USER_JOBS
    assert grading_sends(sent) == [i.pk for i in flood[:share]]
    assert all(i.status == Interview.Status.GRADING for i in flood)  # held, not lost: nothing failed
    assert [i.grading_queued_at is None for i in flood] == [False] * share + [True] * (8 - share)
    client.force_login(user)
    held = client.get(reverse("quiz:interview_progress", args=[flood[-1].pk]), headers={"HX-Request": "true"})
    assert "Waiting for your earlier gradings" in held.content.decode()

    theirs = finished_interview(other_user, capture=django_capture_on_commit_callbacks)
    assert grading_sends(sent)[-1] == theirs.pk  # the other learner is not queued behind the flood
    assert all(queue == "cpu" for *_, queue in sent)

    # one of the flood is graded: their next held grading goes out, and only one
    Interview.objects.filter(pk=flood[0].pk).update(status=Interview.Status.GRADED)
    before = len(sent)
    with django_capture_on_commit_callbacks(execute=True):
        assert capacity.jobs_release() == 1
    assert grading_sends(sent)[before:] == [flood[share].pk]


def test_held_gradings_are_released_least_loaded_user_first(user, other_user, sent,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    make_cards(6)
    a = [finished_interview(user, capture=django_capture_on_commit_callbacks) for _ in range(5)]
    b = [finished_interview(other_user, capture=django_capture_on_commit_callbacks) for _ in range(5)]
    share = settings.CAPACITY_USER_JOBS
    Interview.objects.filter(pk__in=[i.pk for i in a[:share] + b[:share]]).update(status=Interview.Status.GRADED)
    Interview.objects.filter(pk=b[0].pk).update(status=Interview.Status.GRADING)  # b still has one in flight
    before = len(sent)
    with django_capture_on_commit_callbacks(execute=True):
        released = capacity.jobs_release()
    order = grading_sends(sent)[before:]
    assert released == 4 and order[0] == a[share].pk  # a had none in flight: first, though b is as old
    assert set(order) == {a[share].pk, a[share + 1].pk, b[share].pk, b[share + 1].pk}


def test_a_demo_past_the_users_share_is_refused_with_a_message(user, sent, django_capture_on_commit_callbacks):
    make_cards(4)
    for _ in range(settings.CAPACITY_USER_JOBS):
        finished_interview(user, capture=django_capture_on_commit_callbacks)
    with pytest.raises(demo_services.DemoThrottled) as refused:
        demo_services.demo_run_start(user=user, kind="attention", params={})
    assert "jobs waiting or running" in refused.value.message and refused.value.retry_after >= 1


def test_the_global_cap_counts_every_kind_of_job(user, other_user, sent, settings,
                                                 django_capture_on_commit_callbacks):  # fmt: skip
    settings.CAPACITY_GLOBAL_JOBS = 2
    make_cards(4)
    finished_interview(user, capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        demo_services.demo_run_start(user=other_user, kind="attention", params={})
    held = finished_interview(other_user, capture=django_capture_on_commit_callbacks)
    assert held.grading_queued_at is None
    with pytest.raises(demo_services.DemoThrottled):
        demo_services.demo_run_start(user=user, kind="decoding", params={})


def test_the_owner_cancels_a_queued_run_and_nobody_else_can(user, other_user, client, sent,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        run = demo_services.demo_run_start(user=user, kind="attention", params={})
    url = reverse("demos:run_cancel", args=[run.pk])
    client.force_login(other_user)
    assert client.post(url).status_code == 404
    client.force_login(user)
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Cancel this run" in page and "Place in the queue: 1" in page
    response = client.post(url, headers={"HX-Request": "true"})
    assert response.status_code == 286 and "Canceled by its owner." in response.content.decode()
    run.refresh_from_db()
    assert run.status == DemoRun.Status.CANCELED and run.is_finished
    assert demo_services.demo_run_execute(run_id=run.pk, hostname="w") is None  # the worker skips it


def test_the_waiting_page_shows_the_place_and_an_estimate_from_measured_durations(user, other_user, sent,
                                                                                django_capture_on_commit_callbacks):  # fmt: skip
    now = timezone.now()
    for seconds in (2, 4, 30):  # median 4 s
        DemoRun.objects.create(kind="kvcache", params={}, params_hash=f"old{seconds}", user=user,
                               status=DemoRun.Status.DONE, started_at=now - timedelta(seconds=seconds),
                               finished_at=now)  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        first = demo_services.demo_run_start(user=other_user, kind="kvcache", params={})
        second = demo_services.demo_run_start(user=user, kind="kvcache", params={}, force=True)
    assert demo_services.demo_run_queue_place(run=first)["position"] == 1
    place = demo_services.demo_run_queue_place(run=second)
    assert place["position"] == 2 and place["ahead"] == 1
    assert place["wait_s"] == pytest.approx(4, abs=0.5) and place["run_s"] == pytest.approx(4, abs=0.5)


def test_broker_down_fails_within_a_second_and_the_sweep_sends_it_when_it_is_back(
    user, broker_away, django_capture_on_commit_callbacks, monkeypatch
):
    make_cards(4)
    interview = interviews.interview_start(user=user, topics=[], questions=2, minutes=5, rng=random.Random(1))
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        interviews.interview_finish(interview=interview)
    assert time.perf_counter() - started < 1.0
    interview.refresh_from_db()
    assert interview.status == Interview.Status.FAILED
    assert interview.grading_error == interviews.ERROR_QUEUE_UNREACHABLE

    # the broker is still away: a sweep re-tries, fails as fast, and loses nothing
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        capacity.capacity_sweep()
    assert time.perf_counter() - started < 2.0
    interview.refresh_from_db()
    assert interview.status == Interview.Status.FAILED

    # back: the next sweep sends it, and it is grading again
    from quizsite.celery import app

    monkeypatch.delenv("CELERY_BROKER_URL")

    calls = []
    monkeypatch.setattr(app, "send_task", lambda name, *, args, **options: calls.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        result = capacity.capacity_sweep()
    interview.refresh_from_db()
    assert result["resent"] == 1 and result["released"] == 1
    assert (interviews.GRADE_TASK, [interview.pk]) in calls
    assert interview.status == Interview.Status.GRADING and interview.grading_error == ""


def test_missing_card_vectors_are_asked_of_the_cpu_worker_by_the_sweep(user, sent,
                                                                      django_capture_on_commit_callbacks):  # fmt: skip
    """Quizzes need no vectors (their options are authored items); the sweep still fills the bank's vectors in."""
    make_cards(8)
    # the sweep asks again while cards still have no vector (not more often than EMBED_RESEND_SECONDS)
    capacity._embed_sent_at = 0.0
    with django_capture_on_commit_callbacks(execute=True):
        assert capacity.capacity_sweep()["embed"] is True
        assert capacity.capacity_sweep()["embed"] is False


def test_a_flood_of_typed_gradings_and_exercise_runs_sends_only_the_users_share(user, other_user, sent, client,
                                                                              django_capture_on_commit_callbacks):  # fmt: skip
    capture = django_capture_on_commit_callbacks
    make_cards(4)
    exercise = an_exercise()
    share = settings.CAPACITY_USER_JOBS
    quizzes = [answered_typed_quiz(user, capture=capture) for _ in range(share)]
    runs = [exercise_run(user, exercise, capture=capture) for _ in range(3)]
    quizzes += [answered_typed_quiz(user, capture=capture) for _ in range(2)]
    assert sends_of(sent, quiz_grading.GRADE_TASK) == [q.pk for q in quizzes[:share]]
    assert sends_of(sent, exercises.RUN_TASK) == []  # every run held: the learner's share is full
    assert [q.grading_queued_at is None for q in quizzes] == [False] * share + [True] * 2
    assert all(run.held and run.status == ExerciseAttempt.Status.QUEUED for run in runs)
    assert capacity.user_jobs_in_flight(user_id=user.pk) == share

    # what the learner sees: the typed answer's page keeps polling; the run waits for a free worker
    client.force_login(user)
    grade = client.get(reverse("quiz:quiz_grade_status", args=[quizzes[-1].pk, 1])).content.decode()
    assert "Waiting for a free worker" in grade and "hx-get" in grade
    results = client.get(reverse("quiz:exercise_attempt", args=[runs[0].pk])).content.decode()
    assert "Waiting for a free worker" in results and 'data-status="queued"' in results
    assert sends_of(sent, quiz_grading.GRADE_TASK) == [q.pk for q in quizzes[:share]]  # polling sent nothing more

    # another learner is not queued behind the flood, whatever the kind
    their_quiz = answered_typed_quiz(other_user, capture=capture)
    their_run = exercise_run(other_user, exercise, capture=capture)
    assert sent[-2:] == [(quiz_grading.GRADE_TASK, [their_quiz.pk], "cpu"), (exercises.RUN_TASK, [their_run.pk], "cpu")]
    assert all(queue == "cpu" for *_, queue in sent)

    # the learner's jobs end one by one: each frees one place, taken by their oldest held job, whatever its kind
    def one_ends(end) -> tuple[str, int]:
        end()
        before = len(sent)
        with capture(execute=True):
            assert capacity.jobs_release() == 1
        ((name, args, _queue),) = sent[before:]
        return name, args[0]

    order = [one_ends(lambda q=q: quiz_grading.quiz_grade_run(quiz_id=q.pk, embed=bow_embed)) for q in quizzes[:share]]
    order.append(one_ends(lambda: ExerciseAttempt.objects.filter(pk=runs[0].pk).update(status="done")))
    assert order == [(exercises.RUN_TASK, run.pk) for run in runs] + [(quiz_grading.GRADE_TASK, quizzes[share].pk)]
    assert capacity.user_jobs_in_flight(user_id=user.pk) == share
    results = client.get(reverse("quiz:exercise_attempt", args=[runs[1].pk])).content.decode()
    assert "Waiting for a free worker" not in results and "Queued…" in results


def test_held_jobs_of_every_kind_go_to_the_least_loaded_user_first(user, other_user, sent, settings,
                                                                  django_capture_on_commit_callbacks):  # fmt: skip
    capture = django_capture_on_commit_callbacks
    settings.CAPACITY_GLOBAL_JOBS = 3
    make_cards(4)
    exercise = an_exercise()
    mine = [answered_typed_quiz(user, capture=capture) for _ in range(3)]  # the global cap is full
    their_run = exercise_run(other_user, exercise, capture=capture)
    their_quiz = answered_typed_quiz(other_user, capture=capture)
    my_run = exercise_run(user, exercise, capture=capture)
    assert their_run.held and my_run.held and their_quiz.grading_queued_at is None
    assert capacity.jobs_in_flight() == 3

    quiz_grading.quiz_grade_run(quiz_id=mine[0].pk, embed=bow_embed)
    before = len(sent)
    with capture(execute=True):
        assert capacity.jobs_release() == 1
    # the other learner had nothing in flight: their oldest held job goes first, though the learner's run waits too
    assert sent[before:] == [(exercises.RUN_TASK, [their_run.pk], "cpu")]
    quiz_grading.quiz_grade_run(quiz_id=mine[1].pk, embed=bow_embed)
    with capture(execute=True):
        assert capacity.jobs_release() == 1
    assert sent[-1] == (quiz_grading.GRADE_TASK, [their_quiz.pk], "cpu")  # one each in flight: the oldest


def test_the_users_budget_counts_demos_gradings_typed_gradings_and_exercise_runs_together(
    user, other_user, sent, settings, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    settings.CAPACITY_USER_JOBS = 4
    make_cards(4)
    exercise = an_exercise()
    with capture(execute=True):
        demo = demo_services.demo_run_start(user=user, kind="attention", params={})
    interview = finished_interview(user, capture=capture)
    quiz = answered_typed_quiz(user, capture=capture)
    run = exercise_run(user, exercise, capture=capture)
    assert interview.grading_queued_at and quiz.grading_queued_at and not run.held  # four kinds, all sent
    assert capacity.user_jobs_in_flight(user_id=user.pk) == 4

    held_quiz = answered_typed_quiz(user, capture=capture)
    held_interview = finished_interview(user, capture=capture)
    held_run = exercise_run(user, exercise, capture=capture)
    assert held_quiz.grading_queued_at is None and held_interview.grading_queued_at is None and held_run.held
    with pytest.raises(demo_services.DemoThrottled):
        demo_services.demo_run_start(user=user, kind="decoding", params={})
    their_run = exercise_run(other_user, exercise, capture=capture)
    assert not their_run.held and capacity.jobs_in_flight() == 5

    # the demo ends: one place, to the learner's oldest held job
    DemoRun.objects.filter(pk=demo.pk).update(status=DemoRun.Status.DONE)
    before = len(sent)
    with capture(execute=True):
        assert capacity.jobs_release() == 1
    assert sent[before:] == [(quiz_grading.GRADE_TASK, [held_quiz.pk], "cpu")]


def test_broker_down_a_typed_grading_is_held_and_the_sweep_sends_it_when_it_is_back(
    user, client, broker_away, django_capture_on_commit_callbacks, monkeypatch
):
    make_cards(4)
    started = time.perf_counter()
    quiz = answered_typed_quiz(user, capture=django_capture_on_commit_callbacks)
    assert time.perf_counter() - started < 1.0
    assert quiz.grading_queued_at is None and quiz_grading.quiz_grading_pending(quiz=quiz)  # held, not lost
    client.force_login(user)
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):  # a poll tries again, fails as fast, and holds it again
        grade = client.get(reverse("quiz:quiz_grade_status", args=[quiz.pk, 1])).content.decode()
    assert time.perf_counter() - started < 1.0
    assert "hx-get" in grade  # the page keeps polling
    quiz.refresh_from_db()
    assert quiz.grading_queued_at is None

    from quizsite.celery import app

    monkeypatch.delenv("CELERY_BROKER_URL")
    calls = []
    monkeypatch.setattr(app, "send_task", lambda name, *, args, **options: calls.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        result = capacity.capacity_sweep()
    quiz.refresh_from_db()
    assert result["released"] == 1 and calls == [(quiz_grading.GRADE_TASK, [quiz.pk])]
    assert quiz.grading_queued_at is not None


def test_broker_down_an_exercise_run_ends_at_once_with_a_verdict_that_says_so(user, broker_away,
                                                                             django_capture_on_commit_callbacks):  # fmt: skip
    started = time.perf_counter()
    run = exercise_run(user, an_exercise(), capture=django_capture_on_commit_callbacks)
    assert time.perf_counter() - started < 1.0
    assert run.finished and run.verdict == "sandbox_error" and run.message == exercises.MESSAGE_UNQUEUED
    assert capacity.user_jobs_in_flight(user_id=user.pk) == 0  # it holds no place


def test_the_sweep_sends_lost_typed_gradings_and_exercise_runs_again(user, sent, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    make_cards(4)
    exercise = an_exercise()
    quiz = answered_typed_quiz(user, capture=capture)
    queued = exercise_run(user, exercise, capture=capture)
    running = exercise_run(user, exercise, capture=capture)
    long_ago = timezone.now() - timedelta(minutes=10)
    Quiz.objects.filter(pk=quiz.pk).update(grading_queued_at=long_ago)  # sent, never taken: the message was lost
    ExerciseAttempt.objects.filter(pk=queued.pk).update(queued_at=long_ago)
    ExerciseAttempt.objects.filter(pk=running.pk).update(status="running", started_at=long_ago)  # its worker died
    before = len(sent)
    with capture(execute=True):
        result = capacity.capacity_sweep()
    assert result["resent"] == 3 and result["released"] == 2
    assert sorted(sent[before:]) == sorted([(quiz_grading.GRADE_TASK, [quiz.pk], "cpu"),
                                            (exercises.RUN_TASK, [queued.pk], "cpu")])  # fmt: skip
    running.refresh_from_db()
    assert running.finished and running.verdict == "crashed" and running.message == exercises.MESSAGE_WORKER_LOST
    assert capacity.user_jobs_in_flight(user_id=user.pk) == 2
