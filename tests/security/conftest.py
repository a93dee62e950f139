"""Fixtures for the attack tests: a requests session logged in against the live server, with a CSRF token."""

import pytest
import requests
from django.conf import settings
from django.middleware.csrf import _get_new_csrf_string
from django.test import Client


def session_for(user, live_server) -> requests.Session:
    """A real HTTP session of `user` (session cookie + CSRF cookie and header), as a browser would hold."""
    client = Client()
    client.force_login(user)
    token = _get_new_csrf_string()
    session = requests.Session()
    host = live_server.url.split("//", 1)[1].split(":", 1)[0]
    session.cookies.set(settings.SESSION_COOKIE_NAME, client.cookies[settings.SESSION_COOKIE_NAME].value, domain=host)
    session.cookies.set(settings.CSRF_COOKIE_NAME, token, domain=host)
    session.headers.update({"X-CSRFToken": token, "Referer": live_server.url + "/"})
    return session


@pytest.fixture
def api_session(user, live_server):
    return session_for(user, live_server)


MARKER = "owner-secret-5521"  # only the owner's pages may ever show it


@pytest.fixture
def owner_data(user, bank_loaded):
    """The owner's private rows, each holding MARKER where it holds text: an interview with a draft answer, a
    quiz, a study history, a demo run (failed, so no model is needed to show it)."""
    import inspect
    import uuid
    from types import SimpleNamespace

    from django.apps import apps

    from demos.models import DemoRun
    from quiz.bank.models import Card
    from quiz.exams.services import interview as interview_svc
    from quiz.exams.services.quiz import quiz_create
    from quiz.study.services.study import card_review
    from tests.quiz.exam_helpers import bow_embed

    card = Card.objects.in_use().first()
    interview = interview_svc.interview_start(user=user, topics=[], questions=2, minutes=30)
    interview_svc.interview_answer_save(interview=interview, position=0, text=f"My answer {MARKER}", rev=1)
    # where distractors come from embeddings, a fast stand-in encoder (the real one is not what is tested here)
    fast = {"embed": bow_embed} if "embed" in inspect.signature(quiz_create).parameters else {}
    quiz = quiz_create(user=user, topics=[], difficulty=None, length=2, **fast)
    card_review(user=user, card_id=card.pk, rating=3, review_id=uuid.uuid4())
    run = DemoRun.objects.create(kind="attention", params={"text": "hello"}, params_hash="0" * 64, user=user,
                                 status=DemoRun.Status.FAILED, error="stopped")  # fmt: skip
    samples = {
        "interview_id": interview.pk, "quiz_id": quiz.pk, "number": 1, "card_id": card.pk, "action": "suspend",
        "slug": card.slug, "kind": "csv", "run_id": run.pk, "content_type_id": 1, "object_id": 1, "id": 1,
        "answer_id": interview.answers.get(position=0).pk, "index": 0,
    }  # fmt: skip
    if apps.is_installed("quiz.exercises"):  # an attempt at a coding exercise: the owner's code, with MARKER
        from quiz.exercises.models import Exercise, ExerciseAttempt

        exercise = Exercise.objects.create(slug="iso-exercise", title="Isolation", topic="t", statement="s",
                                           starter="", tests="", solution="")  # fmt: skip
        attempt = ExerciseAttempt.objects.create(user=user, exercise=exercise, code=f"# {MARKER}",
                                                 status=ExerciseAttempt.Status.DONE, output=MARKER)  # fmt: skip
        samples["attempt_id"] = attempt.pk
    return SimpleNamespace(interview=interview, quiz=quiz, card=card, run=run, samples=samples)


def browser_login(context, user, live_server) -> None:
    """Give a Playwright browser context the session of `user` (as after the login form)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


CSP_LISTENER = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""
XSS_LISTENER = "window.__xss = 0;"
