"""Demo pages in a real Chromium at 390 px: a run's result comes before its parameters, the quantization table keeps
its first column in view while the others scroll, chart text stays readable, and the LoRA form's model switch logs no
console error."""

import json
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser_helpers import htmx_settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
DATA = Path(__file__).resolve().parent / "data"
PHONE = {"width": 390, "height": 844}


def test_quantization_run_on_a_phone_and_lora_model_switch(browser, live_server, user, screenshot):
    from demos import services
    from demos.models import DemoRun

    run = services.demo_run_start(user=user, kind="quantization", params={"max_new_tokens": 8, "runs": 1})
    result = json.loads((DATA / "quantization_result.json").read_text())
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.DONE, result=result, finished_at=timezone.now())
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        page.goto(f"{live_server.url}{run.get_absolute_url()}")
        table = page.locator(".quant-table")
        table.wait_for()
        assert page.locator(".run-result").bounding_box()["y"] < page.locator(".run-params").bounding_box()["y"]
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        first = page.locator(".quant-table tbody th[scope=row]").first
        left = first.bounding_box()["x"]
        page.locator(".quant-table").evaluate("t => { t.parentElement.scrollLeft = t.parentElement.scrollWidth; }")
        assert page.locator(".quant-table").evaluate("t => t.parentElement.scrollLeft") > 0  # the table does scroll
        assert abs(first.bounding_box()["x"] - left) < 1  # and its first column stays
        last = page.locator(".quant-table thead th").last
        assert last.bounding_box()["x"] + last.bounding_box()["width"] <= PHONE["width"] + 1  # reached the end
        screenshot(page, "demo_quantization_run_phone")
        # chart text keeps a readable size on screen (the chart's box scrolls instead of shrinking it)
        sizes = page.locator("svg.ml-chart text").evaluate_all(
            """texts => texts.map(t => { const svg = t.ownerSVGElement;
                 const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
                 return parseFloat(getComputedStyle(t).fontSize) * scale; })""")  # fmt: skip
        assert sizes and min(sizes) >= 11, sizes
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        page.goto(f"{live_server.url}/demos/lora/")
        page.get_by_label("Model", exact=True).select_option("demo-encoder")
        page.locator("input[name=target_modules][value=dense]").wait_for()
        htmx_settled(page)
        assert errors == []
    finally:
        context.close()
