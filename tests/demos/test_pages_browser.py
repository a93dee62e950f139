"""A learner runs the attention demo in a real Chromium: the page, the worker, the model, the heatmap, the pickers."""

import pytest
from django.conf import settings

from tests.browser_helpers import htmx_settled

pytestmark = [pytest.mark.browser, pytest.mark.worker]
PHONE = {"width": 390, "height": 844}


def _log_in(page, client, user, live_server):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def test_attention_demo_runs_from_its_page_and_switches_views_without_rerunning(
    page, live_server, demo_worker, user, client, screenshot
):
    _log_in(page, client, user, live_server)
    page.goto(f"{live_server.url}/demos/attention/?text=The+animal+didn%27t+cross+the+street+because+it+was+tired.")
    assert page.get_by_label("Text", exact=True).input_value().startswith("The animal")
    assert page.locator(".worker-missing").count() == 0  # the worker is up: no warning

    page.get_by_role("button", name="Run").click()
    page.locator("#run-panel progress, #run-panel svg.heatmap").first.wait_for(timeout=10_000)  # progress at once
    heatmap = page.locator("#run-panel svg.heatmap")
    heatmap.wait_for(timeout=180_000)
    htmx_settled(page)
    assert page.locator("#run-panel .status-chip").inner_text() == "Done"
    assert heatmap.locator("rect.cell title").count() > 100  # a weight on hover for every cell
    assert "animal" in heatmap.text_content()  # token labels on the axes
    screenshot(page, "demo_attention")

    # pickers re-render from the stored result: same run, no reload
    run_link = page.get_by_role("link", name="Permanent link").get_attribute("href")
    page.get_by_label("View", exact=True).select_option("heads")
    page.locator(".thumbs img").first.wait_for()
    htmx_settled(page)
    assert page.locator(".thumbs img").count() == 12  # MiniLM: 12 heads
    screenshot(page, "demo_attention_heads")
    page.locator(".thumbs a").nth(3).click()
    page.locator("svg.heatmap[aria-label^='Layer 4, head 4']").wait_for()
    htmx_settled(page)
    assert page.get_by_label("Head", exact=True).input_value() == "3"
    page.get_by_label("View", exact=True).select_option("rollout")
    page.locator("svg.heatmap[aria-label^='Attention rollout']").wait_for()
    assert page.get_by_role("link", name="Permanent link").get_attribute("href") == run_link

    # readable on a phone: nothing wider than the screen but the heatmap's own scroll box
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{run_link}")
    page.locator("svg.heatmap").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "demo_attention_phone")


def test_decoder_heatmap_greys_out_the_future(page, live_server, demo_worker, user, client, screenshot):
    _log_in(page, client, user, live_server)
    page.goto(f"{live_server.url}/demos/attention/?model=decoder&max_tokens=12&text=Attention+is+all+you+need.")
    page.get_by_role("button", name="Run").click()
    page.locator("#run-panel svg.heatmap").wait_for(timeout=180_000)
    n = len(page.locator("svg.heatmap text.row-label").all())
    assert page.locator("svg.heatmap rect.masked").count() == n * (n - 1) // 2  # the upper triangle
    screenshot(page, "demo_attention_decoder")


def test_decoding_demo_shows_strategies_side_by_side_and_the_next_token_bars(
    page, live_server, demo_worker, user, client, screenshot
):
    _log_in(page, client, user, live_server)
    page.goto(f"{live_server.url}/demos/decoding/?max_new_tokens=8&strategies=greedy,beam,top_k,min_p"
              "&prompt=What+is+a+transformer%3F")  # fmt: skip
    page.get_by_role("button", name="Run").click()
    page.locator(".run-panel.status-done .strategy-grid").wait_for(timeout=180_000)  # columns fill in while it runs
    assert page.locator(".strategy h3").all_inner_texts() == [
        "Greedy",
        "Beam search",
        "Top-k sampling",
        "Min-p sampling",
    ]
    assert page.locator(".strategy .tok").count() >= 4 and page.locator(".legend .tok").count() == 5
    screenshot(page, "demo_decoding")
    page.get_by_role("link", name="Next-token distribution").click()
    page.locator(".bars").first.wait_for()
    assert page.locator(".dist h3").all_inner_texts() == ["Temperature 0.5", "Temperature 1.0", "Temperature 1.5"]
    assert page.locator(".bars").first.locator("li").count() == 20
    screenshot(page, "demo_next_token")
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "demo_next_token_phone")
    page.goto(f"{live_server.url}/demos/runs/")
    assert page.locator("table.runs tbody tr").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "demo_history_phone")
