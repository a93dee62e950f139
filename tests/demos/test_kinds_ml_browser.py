"""The LoRA page in a real Chromium: the module checkboxes follow the model, a run through the real worker draws
the counts, the chart and the memory estimate; a stored quantization result and KV-cache result render readably."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from tests.browser_helpers import htmx_settled

pytestmark = pytest.mark.browser
DATA = Path(__file__).resolve().parent / "data"
PHONE = {"width": 390, "height": 844}


def _log_in(page, client, user, live_server):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def _checkbox_names(page, name: str) -> list[str]:
    return page.locator(f"input[name={name}]").evaluate_all("boxes => boxes.map(b => b.value)")


@pytest.mark.worker
def test_lora_page_swaps_modules_with_the_model_and_runs_in_the_worker(
    page, live_server, demo_worker, user, client, screenshot
):
    _log_in(page, client, user, live_server)
    page.goto(f"{live_server.url}/demos/lora/")
    assert _checkbox_names(page, "target_modules") == ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj",
                                                       "up_proj", "down_proj"]  # fmt: skip
    page.get_by_label("Model", exact=True).select_option("demo-encoder")
    page.locator("input[name=target_modules][value=dense]").wait_for()
    page.locator("input[name=modules_to_save][value=word_embeddings]").wait_for()
    assert _checkbox_names(page, "target_modules") == ["query", "key", "value", "dense"]
    assert _checkbox_names(page, "modules_to_save") == ["word_embeddings", "position_embeddings",
                                                        "token_type_embeddings"]  # fmt: skip
    screenshot(page, "demo_lora_form_encoder")

    page.get_by_label("Model", exact=True).select_option("llama-2-70b")
    page.locator("input[name=target_modules][value=gate_proj]").wait_for()
    htmx_settled(page)
    page.locator("input[name=target_modules][value=k_proj]").check()
    page.get_by_label("Rank r").fill("16")
    page.get_by_role("button", name="Run").click()
    page.locator("#run-panel .lora-summary").wait_for(timeout=180_000)
    assert page.locator("#run-panel .status-chip").inner_text() == "Done"
    summary = page.locator(".lora-summary").inner_text()
    assert "80 × 16 × (8192 + 8192) + 80 × 16 × (8192 + 1024) + 80 × 16 × (8192 + 1024)" in summary
    assert "✓ The formula agrees with peft" in summary
    assert page.locator("#run-panel svg.ml-chart").count() == 2
    screenshot(page, "demo_lora_result")

    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "demo_lora_result_phone")


def _stored_run(user, kind: str, params: dict, name: str):
    from demos import services
    from demos.models import DemoRun

    run = services.demo_run_start(user=user, kind=kind, params=params)
    result = json.loads((DATA / name).read_text())
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.DONE, result=result, finished_at=timezone.now())
    return run


@pytest.mark.django_db(transaction=True)
def test_quantization_and_kvcache_results_render(page, live_server, user, screenshot):
    page.goto(f"{live_server.url}/demos/quantization/")
    assert len(_checkbox_names(page, "variants")) == 11
    assert not page.locator("input[name=variants][value=ao-int8-dynamic]").is_checked()  # slow on CPU: opt-in
    screenshot(page, "demo_quantization_form")

    run = _stored_run(user, "quantization", {"max_new_tokens": 8, "runs": 1}, "quantization_result.json")
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    page.locator(".quant-table").wait_for()
    assert page.locator(".quant-table tbody tr").count() >= 5
    assert page.locator("svg.ml-chart").count() == 2
    assert "bitsandbytes is not installed" in page.locator(".quant-missing").inner_text()
    screenshot(page, "demo_quantization_result")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "demo_quantization_result_phone")

    page.set_viewport_size({"width": 1200, "height": 900})
    run = _stored_run(user, "kvcache", {"max_length": "32"}, "kvcache_result.json")
    page.goto(f"{live_server.url}{run.get_absolute_url()}")
    page.locator("svg.ml-chart polyline").first.wait_for()
    assert page.locator("svg.ml-chart polyline").count() == 4
    screenshot(page, "demo_kvcache_result")
