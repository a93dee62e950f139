"""Runs through a real Celery worker process on the real broker, with the real small models. No mocks.

Short on purpose (the machine has two cores): 8 new tokens, short texts. The worker-kill test runs last in
this file; `demo_worker` restarts the worker for whatever runs after it.
"""

import time

import pytest
from django.urls import reverse

from demos import services
from demos.models import DemoRun
from tests.live_worker import run_wait

pytestmark = [pytest.mark.worker, pytest.mark.smoke]
TEXT = "The cat sat on the mat because it was tired."


def _rows_sum_to_one(matrix, tolerance=0.01):  # stored rounded to 3 decimals
    return all(abs(sum(row) - 1) < tolerance for row in matrix)


def test_attention_on_the_encoder_runs_in_the_worker(demo_worker, user, client):
    run = services.demo_run_start(user=user, kind="attention", params={"text": TEXT, "max_tokens": 16})
    run = run_wait(run.pk)
    assert run.status == DemoRun.Status.DONE, run.error
    assert run.worker_hostname == demo_worker.hostname and run.progress == 100 and run.device
    result, n = run.result, len(run.result["tokens"])
    assert 2 <= n <= 16 and result["causal"] is False
    assert len(result["attentions"]) == result["n_layers"] and len(result["attentions"][0]) == result["n_heads"]
    for layer in result["attentions"]:
        for head in layer:
            assert len(head) == n and all(len(row) == n for row in head) and _rows_sum_to_one(head)
    assert _rows_sum_to_one(
        result["rollout"] if not isinstance(result["rollout"][0][0], list) else result["rollout"][-1]
    )
    # the page re-renders views from the stored result
    page = client.get(run.get_absolute_url(), {"view": "heads", "layer": 1}).content.decode()
    assert page.count('src="data:image/png;base64,') == result["n_heads"]


def test_attention_on_the_decoder_is_causal(demo_worker, user):
    run = run_wait(services.demo_run_start(user=user, kind="attention",
                                           params={"text": TEXT, "model": "decoder", "max_tokens": 12}).pk)  # fmt: skip
    assert run.status == DemoRun.Status.DONE, run.error
    assert run.result["causal"] is True
    head = run.result["attentions"][0][0]
    assert _rows_sum_to_one(head)
    assert all(head[q][k] < 1e-6 for q in range(len(head)) for k in range(q + 1, len(head)))  # no peeking ahead


def test_decoding_compares_strategies_in_the_worker_and_caches_the_result(demo_worker, user, client):
    params = {"prompt": "Name one primary colour.", "strategies": ["greedy", "top_k", "beam"], "max_new_tokens": 8,
              "temperatures": [0.5, 1.5]}  # fmt: skip
    run = run_wait(services.demo_run_start(user=user, kind="decoding", params=params).pk)
    assert run.status == DemoRun.Status.DONE, run.error
    columns = run.result["compare"]["results"]
    assert [column["name"] for column in columns] == ["greedy", "beam", "top_k"]  # the form's order
    for column in columns:
        assert 1 <= column["n_tokens"] <= 8 and all(0 < token["p"] <= 1 for token in column["tokens"])
        assert column["perplexity"] >= 1 and column["tokens_per_s"] > 0
    distributions = run.result["next_token"]["distributions"]
    assert [d["temperature"] for d in distributions] == [0.5, 1.5]
    assert all(len(d["top"]) == 20 for d in distributions)
    assert distributions[0]["top"][0]["p"] > distributions[1]["top"][0]["p"]  # a colder softmax is peakier

    page = client.get(run.get_absolute_url()).content.decode()
    assert "Beam search" in page and "Perplexity" in page and 'class="tok p' in page
    assert "Temperature 1.5" in client.get(run.get_absolute_url(), {"view": "next"}).content.decode()

    started = time.perf_counter()
    again = services.demo_run_start(user=user, kind="decoding", params=params)
    # a cache hit is a finished run of the caller's own (own link, own history), with the same result
    assert again.pk != run.pk and again.status == DemoRun.Status.DONE and time.perf_counter() - started < 0.5
    assert DemoRun.objects.get(pk=again.pk).result == run.result


def test_platform_strategy_names_match_the_worker():
    from demos.kinds import STRATEGY_CHOICES
    from worker.decoding import STRATEGIES

    assert [name for name, _ in STRATEGY_CHOICES] == list(STRATEGIES)


def test_a_run_whose_worker_is_killed_ends_failed_not_pending_forever(demo_worker, user, client):
    params = {"prompt": "Write a long story about a dragon who learns to bake bread.", "max_new_tokens": 64,
              "strategies": ["greedy", "beam", "temperature", "top_k", "top_p", "min_p", "typical_p"],
              "num_beams": 8}  # fmt: skip
    run = services.demo_run_start(user=user, kind="decoding", params=params)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # wait until it is generating, mid-run
        run.refresh_from_db()
        if run.status == DemoRun.Status.RUNNING and run.progress > 0 or run.is_finished:
            break
        time.sleep(0.2)
    assert run.status == DemoRun.Status.RUNNING, f"the run should still be going ({run.status})"
    demo_worker.kill()

    # Pages polling the run reap it once the worker's heartbeat is stale; no worker, no re-delivery needed.
    deadline = time.monotonic() + services.WORKER_STALE_SECONDS + 30
    while time.monotonic() < deadline:
        panel = client.get(reverse("demos:run_panel", args=[run.pk]))
        if panel.status_code == 286:
            break
        time.sleep(1)
    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED and run.error == services.ERR_WORKER_LOST
    assert services.ERR_WORKER_LOST in panel.content.decode()

    # A restarted worker leaves the failed run alone even if the broker hands the message out again.
    demo_worker.start()
    demo_worker.ready()
    run.refresh_from_db()
    assert run.status == DemoRun.Status.FAILED and run.attempts == 1
