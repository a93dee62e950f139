"""Starting a run: every bound refused with a 400 naming it, throttling with Retry-After, the cache, privacy, schema.

Fast: no worker. These tests are not transactional, so `on_commit` never fires and nothing is enqueued unless
captured with `django_capture_on_commit_callbacks`.
"""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from demos import services
from demos.models import DemoRun
from demos.params import (
    ERR_CHOICE,
    ERR_CHOICES_COUNT,
    ERR_FLOAT_LIST,
    ERR_FLOAT_RANGE,
    ERR_FLOAT_RANGE_OPEN,
    ERR_INT_RANGE,
    ERR_NOT_OBJECT,
    ERR_TEXT_LENGTH,
    ERR_UNKNOWN_KIND,
    ERR_UNKNOWN_PARAM,
)

pytestmark = pytest.mark.django_db
RUNS = "/api/demos/runs"

OUT_OF_BOUNDS = [
    ("attention", {"text": "x" * 501}, "text", ERR_TEXT_LENGTH.format(max=500)),
    ("attention", {"text": "   "}, "text", ERR_TEXT_LENGTH.format(max=500)),
    ("attention", {"text": "hi", "max_tokens": 65}, "max_tokens", ERR_INT_RANGE.format(low=2, high=64)),
    ("attention", {"text": "hi", "max_tokens": "many"}, "max_tokens", ERR_INT_RANGE.format(low=2, high=64)),
    ("attention", {"text": "hi", "model": "gpt-4"}, "model", ERR_CHOICE.format(choices="encoder, decoder")),
    ("decoding", {"max_new_tokens": 0}, "max_new_tokens", ERR_INT_RANGE.format(low=1, high=64)),
    ("decoding", {"max_new_tokens": 65}, "max_new_tokens", ERR_INT_RANGE.format(low=1, high=64)),
    ("decoding", {"num_beams": 1}, "num_beams", ERR_INT_RANGE.format(low=2, high=8)),
    ("decoding", {"num_beams": 9}, "num_beams", ERR_INT_RANGE.format(low=2, high=8)),
    ("decoding", {"top_k": 201}, "top_k", ERR_INT_RANGE.format(low=1, high=200)),
    ("decoding", {"top_p": 0}, "top_p", ERR_FLOAT_RANGE_OPEN.format(low=0, high=1)),
    ("decoding", {"top_p": 1.01}, "top_p", ERR_FLOAT_RANGE_OPEN.format(low=0, high=1)),
    ("decoding", {"typical_p": 0}, "typical_p", ERR_FLOAT_RANGE_OPEN.format(low=0, high=1)),
    ("decoding", {"min_p": -0.1}, "min_p", ERR_FLOAT_RANGE.format(low=0, high=1)),
    ("decoding", {"temperature": 0.01}, "temperature", ERR_FLOAT_RANGE.format(low=0.05, high=2.0)),
    ("decoding", {"temperature": "nan"}, "temperature", ERR_FLOAT_RANGE.format(low=0.05, high=2.0)),
    ("decoding", {"seed": -1}, "seed", ERR_INT_RANGE.format(low=0, high=2**31 - 1)),
    ("decoding", {"seed": 2**31}, "seed", ERR_INT_RANGE.format(low=0, high=2**31 - 1)),
    ("decoding", {"temperatures": [0.5, 1, 1.5, 2, 1]}, "temperatures",
     ERR_FLOAT_LIST.format(max=4, low=0.05, high=2.0)),
    ("decoding", {"strategies": []}, "strategies", None),
    ("decoding", {"strategies": ["greedy", "contrastive"]}, "strategies", None),
    ("decoding", {"strategies": ["greedy"] * 8}, "strategies", None),
    ("decoding", {"prompt": "hi", "length_penalty": 2}, "length_penalty", ERR_UNKNOWN_PARAM),
    ("decoding", ["not", "an", "object"], "params", ERR_NOT_OBJECT),
]  # fmt: skip
ERR_STRATEGIES = ERR_CHOICES_COUNT.format(max=7, choices="greedy, beam, temperature, top_k, top_p, min_p, typical_p")


@pytest.mark.parametrize(("kind", "params", "param", "message"), OUT_OF_BOUNDS)
def test_api_refuses_out_of_bounds_with_400_naming_param_and_bound(user_client, kind, params, param, message):
    response = user_client.post(RUNS, {"kind": kind, "params": params}, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"param": param, "detail": f"{param} {message or ERR_STRATEGIES}"}
    assert not DemoRun.objects.exists()


def test_api_refuses_unknown_kind(user_client):
    response = user_client.post(RUNS, {"kind": "telepathy", "params": {}}, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["param"] == "kind"
    assert ERR_UNKNOWN_KIND.format(choices="attention, decoding").split(":")[0] in response.json()["detail"]


def test_page_form_refuses_out_of_bounds_with_400_naming_the_field_by_its_label_and_bound(user_client):
    url = reverse("demos:run_create", args=["decoding"])
    data = {"prompt": "Hello", "strategies": ["greedy"], "max_new_tokens": "100"}
    expected = f"New tokens {ERR_INT_RANGE.format(low=1, high=64)}"  # the label the form shows, not the name
    page = user_client.post(url, data)
    assert page.status_code == 400 and expected in page.content.decode()
    assert b'value="100"' not in page.content  # the form comes back with a valid value, not the refused one
    fragment = user_client.post(url, data, headers={"HX-Request": "true"})
    assert fragment.status_code == 400 and expected in fragment.content.decode()
    assert b"<html" not in fragment.content


def test_page_form_with_every_strategy_unticked_is_refused(user_client):
    response = user_client.post(reverse("demos:run_create", args=["decoding"]), {"prompt": "Hello"})
    assert response.status_code == 400 and ERR_STRATEGIES in response.content.decode()


def test_defaults_and_explicit_defaults_are_the_same_run(user):
    first = services.demo_run_start(user=user, kind="attention", params={"text": "same text"})
    second = services.demo_run_start(user=user, kind="attention", params={"text": "same text", "max_tokens": 32,
                                                                          "model": "encoder"})  # fmt: skip
    assert first.pk == second.pk  # still queued: the same in-flight run, not a second one
    assert first.params == {"text": "same text", "model": "encoder", "max_tokens": 32}


def test_rate_limit_answers_429_with_retry_after(user_client, user, settings):
    settings.CAPACITY_USER_JOBS = services.RUNS_PER_MINUTE + 5  # the per-minute limit, not the in-flight share
    for i in range(services.RUNS_PER_MINUTE):
        response = user_client.post(RUNS, {"kind": "attention", "params": {"text": f"text {i}"}},
                                    content_type="application/json")  # fmt: skip
        assert response.status_code == 202
    refused = user_client.post(RUNS, {"kind": "attention", "params": {"text": "one more"}},
                               content_type="application/json")  # fmt: skip
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["detail"] == services.ERR_RATE_LIMIT.format(limit=10, seconds=refused["Retry-After"])
    # a minute later the user may run again
    DemoRun.objects.update(queued_at=timezone.now() - timedelta(seconds=61))
    assert user_client.post(RUNS, {"kind": "attention", "params": {"text": "later"}},
                            content_type="application/json").status_code == 202  # fmt: skip


def test_queue_depth_answers_429_with_retry_after(user_client, user, other_user):
    DemoRun.objects.bulk_create(
        DemoRun(kind="attention", params={}, params_hash=str(i), user=other_user) for i in range(services.QUEUE_MAX)
    )
    refused = user_client.post(RUNS, {"kind": "attention", "params": {"text": "hi"}}, content_type="application/json")
    assert refused.status_code == 429
    assert refused["Retry-After"] == str(services.QUEUE_FULL_RETRY_AFTER)
    assert refused.json()["detail"] == services.ERR_QUEUE_FULL.format(depth=20, seconds=services.QUEUE_FULL_RETRY_AFTER)
    page = user_client.post(
        reverse("demos:run_create", args=["attention"]), {"text": "hi"}, headers={"HX-Request": "1"}
    )
    assert page.status_code == 429 and page["Retry-After"] == "15"


def test_cache_hit_is_the_callers_own_finished_run_without_enqueuing(
    user_client, user, django_capture_on_commit_callbacks
):
    payload = {"kind": "attention", "params": {"text": "cached text"}}
    with django_capture_on_commit_callbacks() as enqueued:
        first = user_client.post(RUNS, payload, content_type="application/json")
    assert first.status_code == 202 and len(enqueued) == 1
    DemoRun.objects.update(status=DemoRun.Status.DONE, result={"tokens": []}, finished_at=timezone.now())

    with django_capture_on_commit_callbacks() as enqueued:
        hit = user_client.post(RUNS, payload, content_type="application/json")
    assert hit.status_code == 200 and hit.json()["id"] != first.json()["id"] and hit.json()["status"] == "done"
    assert enqueued == [] and DemoRun.objects.filter(user=user, status=DemoRun.Status.DONE).count() == 2
    assert DemoRun.objects.get(pk=hit.json()["id"]).result == {"tokens": []}

    with django_capture_on_commit_callbacks() as enqueued:
        forced = user_client.post(RUNS, {**payload, "force": True}, content_type="application/json")
    assert forced.status_code == 202 and forced.json()["id"] != first.json()["id"] and len(enqueued) == 1


def test_api_needs_a_login_to_start_but_not_to_read_a_run(client, user):
    refused = client.post(RUNS, {"kind": "attention", "params": {"text": "hi"}}, content_type="application/json")
    assert refused.status_code == 401
    run = services.demo_run_start(user=user, kind="attention", params={"text": "hi"})
    body = client.get(f"{RUNS}/{run.pk}").json()
    assert body["status"] == "queued" and body["url"] == run.get_absolute_url()


def test_api_start_checks_the_csrf_token(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(RUNS, {"kind": "attention", "params": {"text": "hi"}}, content_type="application/json")
    assert response.status_code == 403 and not DemoRun.objects.exists()


def test_history_is_private_to_its_owner_but_a_run_link_is_not(client, user, other_user):
    mine = services.demo_run_start(user=user, kind="attention", params={"text": "only mine to list"})
    client.force_login(user)
    assert b"only mine to list" in client.get(reverse("demos:run_history")).content
    client.force_login(other_user)
    assert b"only mine to list" not in client.get(reverse("demos:run_history")).content
    assert client.get(mine.get_absolute_url()).status_code == 200  # the permanent link works for whoever has it
    client.logout()
    assert client.get(reverse("demos:run_history")).status_code == 302
    assert client.get(mine.get_absolute_url()).status_code == 200


def test_openapi_schema_lists_the_demo_endpoints(client):
    schema = client.get("/api/openapi.json").json()
    assert "post" in schema["paths"]["/api/demos/runs"]
    assert set(schema["paths"]["/api/demos/runs"]["post"]["responses"]) >= {"200", "202", "400", "429"}
    assert "get" in schema["paths"]["/api/demos/runs/{run_id}"]
