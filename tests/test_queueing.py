"""quizsite/queueing.py: work is sent by task name once the row commits; a broker that is away fails the row at once,
with a message, instead of leaving it queued forever or holding the request."""

import time

import pytest

from demos import services as demo_services
from demos.models import DemoRun
from quizsite.queueing import enqueue_on_commit

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    from quizsite.celery import app

    calls = []
    monkeypatch.setattr(app, "send_task", lambda name, *, args, task_id=None, **options: calls.append((name, args)))
    return calls


def test_nothing_is_sent_before_the_transaction_commits(sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        enqueue_on_commit("quiz.interview_grade", args=[7])
        assert sent == []
    callbacks[0]()
    assert sent == [("quiz.interview_grade", [7])]


def test_a_demo_run_is_sent_by_its_task_name_with_its_id(user, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = demo_services.demo_run_start(user=user, kind="decoding", params={})
    assert sent == [("demos.run", [str(run.pk)])]


def test_a_broker_that_is_away_fails_the_run_at_once_with_a_message(user, broker_away,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    started = time.perf_counter()
    with django_capture_on_commit_callbacks(execute=True):
        run = demo_services.demo_run_start(user=user, kind="decoding", params={})
    assert time.perf_counter() - started < 1
    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED and run.error == demo_services.ERR_QUEUE_UNREACHABLE


def test_a_broker_that_is_away_fails_the_grading_so_the_report_offers_a_retry(user, broker_away,
                                                                             django_capture_on_commit_callbacks):  # fmt: skip
    import random

    from quiz.exams.models import Interview
    from quiz.exams.services import interview as interviews
    from tests.quiz.exam_helpers import make_cards

    make_cards(4)
    interview = interviews.interview_start(user=user, topics=[], questions=2, minutes=5, rng=random.Random(1))
    with django_capture_on_commit_callbacks(execute=True):
        interviews.interview_finish(interview=interview)
    interview.refresh_from_db()
    assert interview.status == Interview.Status.FAILED
    assert interview.grading_error == interviews.ERROR_QUEUE_UNREACHABLE
