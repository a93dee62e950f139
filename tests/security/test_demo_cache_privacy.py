"""The demo cache: a hit is the caller's own run (same result, own id, own history entry), and nothing tells a
learner that someone else ran the prompt they typed."""

import pytest
from django.urls import reverse
from django.utils import timezone

from demos import services
from demos.models import DemoRun

pytestmark = pytest.mark.django_db
SECRET_PROMPT = {"text": "my private interview notes 7731"}


def finish(run: DemoRun) -> DemoRun:
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.DONE, result={"tokens": ["t"]},
                                             finished_at=timezone.now())  # fmt: skip
    return DemoRun.objects.get(pk=run.pk)


def test_a_prompt_someone_else_typed_is_run_again_not_served_from_their_run(user, other_user):
    theirs = finish(services.demo_run_start(user=other_user, kind="attention", params=SECRET_PROMPT))
    mine = services.demo_run_start(user=user, kind="attention", params=SECRET_PROMPT)
    assert mine.pk != theirs.pk and mine.user == user
    assert mine.status == DemoRun.Status.QUEUED  # exactly what a prompt nobody ever ran gives


def test_my_own_cached_prompt_is_a_new_run_of_mine_with_the_same_result(user_client, user):
    first = finish(services.demo_run_start(user=user, kind="attention", params=SECRET_PROMPT))
    hit = services.demo_run_start(user=user, kind="attention", params=SECRET_PROMPT)
    assert hit.pk != first.pk and hit.status == DemoRun.Status.DONE and hit.user == user
    assert DemoRun.objects.get(pk=hit.pk).result == first.result
    history = user_client.get(reverse("demos:run_history")).content.decode()
    assert str(hit.pk) in history and str(first.pk) in history  # both in my history, each with its own link


def test_public_parameters_are_shared_as_a_copy_that_shows_nothing_of_the_first_run(user, other_user, user_client):
    defaults = {}  # the form's defaults: anyone can see and run them
    theirs = finish(services.demo_run_start(user=other_user, kind="attention", params=defaults))
    mine = services.demo_run_start(user=user, kind="attention", params=defaults)
    assert mine.pk != theirs.pk and mine.user == user and mine.status == DemoRun.Status.DONE
    assert mine.queued_at > theirs.queued_at and mine.worker_hostname == ""
    answer = user_client.get(f"/api/demos/runs/{mine.pk}").content.decode()
    assert str(theirs.pk) not in answer and other_user.username not in answer
    assert str(mine.pk) in user_client.get(reverse("demos:run_history")).content.decode()
