"""Demo pages without a worker: index, form pre-fill, cards both ways, polling, the stored result's views."""

import pytest
from django.urls import reverse
from django.utils import timezone

from demos import services
from demos.models import DemoRun
from quiz.bank.models import Card, Topic

pytestmark = pytest.mark.django_db

# A stored attention result as worker.attention returns it: 3 tokens, 2 layers, 2 heads, rows summing to 1.
CAUSAL = [[1.0, 0.0, 0.0], [0.25, 0.75, 0.0], [0.2, 0.3, 0.5]]
ATTENTION_RESULT = {
    "tokens": ["<s>", " it", " sat"], "n_layers": 2, "n_heads": 2, "causal": True, "truncated": False,
    "attentions": [[CAUSAL, CAUSAL], [CAUSAL, CAUSAL]], "head_mean": [CAUSAL, CAUSAL], "rollout": CAUSAL,
}  # fmt: skip


@pytest.fixture
def done_run(user):
    run = services.demo_run_start(user=user, kind="attention", params={"text": "it sat", "model": "decoder"})
    DemoRun.objects.filter(pk=run.pk).update(
        status=DemoRun.Status.DONE, result=ATTENTION_RESULT, finished_at=timezone.now()
    )
    return DemoRun.objects.get(pk=run.pk)


def test_index_explains_each_demo_and_says_when_no_worker_runs(client):
    page = client.get(reverse("demos:index")).content.decode()
    assert "Attention maps" in page and "Decoding strategies" in page
    assert services.MSG_NO_WORKER in page
    services.worker_heartbeat_beat(hostname="celery@here", pid=1)
    assert services.MSG_NO_WORKER not in client.get(reverse("demos:index")).content.decode()


def test_demo_form_is_prefilled_from_the_link_and_ignores_bad_values(client):
    page = client.get(reverse("demos:detail", args=["attention"]), {"text": "Hello there", "model": "decoder",
                                                                     "max_tokens": "999"}).content.decode()  # fmt: skip
    assert ">Hello there</textarea>" in page
    assert '<option value="decoder" selected>' in page
    assert 'name="max_tokens" type="number" value="32"' in page  # out of bounds: the default instead
    decoding = client.get(reverse("demos:detail", args=["decoding"]), {"strategies": "greedy,beam"}).content.decode()
    assert 'value="greedy" checked' in decoding and 'value="top_k" checked' not in decoding


def test_anonymous_visitors_are_asked_to_log_in_to_run(client):
    page = client.get(reverse("demos:detail", args=["attention"])).content.decode()
    assert "Log in to run" in page
    response = client.post(reverse("demos:run_create", args=["attention"]), {"text": "hi"})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not DemoRun.objects.exists()


def test_cards_and_demos_link_both_ways(client):
    topic = Topic.objects.create(slug="attention", name="Attention")
    with_params = Card.objects.create(
        slug="sink",
        topic=topic,
        question="What is an attention sink?",
        answer="a",
        demo_slug="attention",
        demo_params={"text": "Sinks soak up weight.", "model": "decoder"},
    )
    with_question = Card.objects.create(slug="heads", topic=topic, question="Why several heads?", answer="b",
                                        demo_slug="attention")  # fmt: skip
    demo_page = client.get(reverse("demos:detail", args=["attention"])).content.decode()
    assert with_params.get_absolute_url() in demo_page and with_question.get_absolute_url() in demo_page

    card_page = client.get(with_params.get_absolute_url()).content.decode()
    assert "Try it live" in card_page and "/demos/attention/?text=Sinks+soak+up+weight.&amp;model=decoder" in card_page
    assert (
        "/demos/attention/?text=Why+several+heads%3F" in client.get(with_question.get_absolute_url()).content.decode()
    )


def test_htmx_run_returns_a_polling_panel_and_a_plain_post_redirects(user_client):
    url = reverse("demos:run_create", args=["attention"])
    panel = user_client.post(url, {"text": "polling"}, headers={"HX-Request": "true"})
    assert panel.status_code == 202
    body = panel.content.decode()
    assert 'hx-trigger="every 5s"' in body and services.MSG_NO_WORKER in body  # no worker: say so, poll slowly
    run = DemoRun.objects.get()
    redirect = user_client.post(url, {"text": "plain"})
    assert (
        redirect.status_code == 302
        and redirect["Location"] == DemoRun.objects.exclude(pk=run.pk).get().get_absolute_url()
    )


def test_panel_polls_while_queued_and_stops_with_286_when_done(client, user, done_run):
    queued = services.demo_run_start(user=user, kind="attention", params={"text": "still waiting"})
    services.worker_heartbeat_beat(hostname="celery@here", pid=1)
    waiting = client.get(reverse("demos:run_panel", args=[queued.pk]))
    assert waiting.status_code == 200 and 'hx-trigger="every 1s"' in waiting.content.decode()
    finished = client.get(reverse("demos:run_panel", args=[done_run.pk]))
    assert finished.status_code == 286 and b"every 1s" not in finished.content and b"<svg" in finished.content


def test_panel_shows_a_failed_run_error_and_stops(client, user):
    run = services.demo_run_start(user=user, kind="attention", params={"text": "fails"})
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.FAILED, error=services.ERR_WORKER_LOST)
    response = client.get(reverse("demos:run_panel", args=[run.pk]))
    assert response.status_code == 286 and services.ERR_WORKER_LOST in response.content.decode()


def test_attention_views_rerender_from_the_stored_result(client, done_run):
    url = reverse("demos:run_result", args=[done_run.pk])
    htmx = {"HX-Request": "true"}
    head = client.get(url, {"view": "head", "layer": 1, "head": 1}, headers=htmx).content.decode()
    assert "<html" not in head and "Layer 2, head 2" in head
    assert head.count('class="cell"') == 6 and head.count('class="masked"') == 3  # causal: upper triangle masked
    assert "<title>it → ␣</title>" not in head and "<title>sat → it: 0.300</title>" in head
    heads = client.get(url, {"view": "heads", "layer": 0}, headers=htmx).content.decode()
    assert heads.count('src="data:image/png;base64,') == 2 and "view=head&amp;layer=0&amp;head=1" in heads
    assert "average of 2 heads" in client.get(url, {"view": "mean"}, headers=htmx).content.decode()
    assert "rollout" in client.get(url, {"view": "rollout", "layer": "junk"}, headers=htmx).content.decode()
    # without htmx the same address lands on the run's page with the view chosen
    assert client.get(url, {"view": "mean"})["Location"] == f"{done_run.get_absolute_url()}?view=mean"
    assert "average of 2 heads" in client.get(done_run.get_absolute_url(), {"view": "mean"}).content.decode()


def test_run_page_offers_the_form_prefilled_with_its_parameters(client, done_run):
    page = client.get(done_run.get_absolute_url()).content.decode()
    assert "/demos/attention/?text=it+sat&amp;model=decoder&amp;max_tokens=32" in page
