"""Demo pages by keyboard in a real Chromium: the heatmap's row as a data table, focus and a polite announcement
when a run's result arrives. No worker: the run's row is finished from the test, as the worker would finish it."""

import pytest
from django.conf import settings
from django.utils import timezone

from demos import services
from demos.models import DemoRun
from tests.a11y_pages import ATTENTION_RESULT
from tests.browser_helpers import htmx_settled

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, client, user, live_server):
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])


def _tab_to(page, selector: str, tabs: int = 60) -> None:
    for _ in range(tabs):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_heatmap_row_is_a_data_table_a_keyboard_can_pick_and_reach(page, live_server, user):
    run = services.demo_run_start(user=user, kind="attention", params={"text": "the cat sat", "model": "decoder"})
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.DONE, result=ATTENTION_RESULT,
                                             finished_at=timezone.now())  # fmt: skip
    page.goto(f"{live_server.url}{run.get_absolute_url()}?view=head&layer=1&head=1")
    page.wait_for_load_state()
    table = page.locator("table.weights-table")
    assert "Layer 2, head 2" in table.locator("caption").inner_text() and "token 4 “sat”" in table.inner_text()
    assert table.locator("tbody td:last-child").all_inner_texts() == ["0.100", "0.200", "0.300", "0.400"]

    _tab_to(page, "#pick-row")
    page.keyboard.press("ArrowUp")  # the row before: token 3, "cat"
    page.locator("table.weights-table caption", has_text="token 3 “cat”").wait_for()
    htmx_settled(page)
    assert page.evaluate("document.activeElement.id") == "pick-row"  # focus survives the swap
    cells = page.locator("table.weights-table tbody td:last-child").all_inner_texts()
    assert cells == ["0.200", "0.300", "0.500", "masked (a future token)"]
    assert page.locator("table.weights-table tbody th[scope=row]").all_inner_texts() == ["<s>", "the", "cat", "sat"]

    page.keyboard.press("Tab")  # the table's scroll box is next: reachable, named by the caption
    assert page.evaluate("document.activeElement.getAttribute('aria-labelledby')") == "row-table-caption"
    page.get_by_label("Layer", exact=True).select_option("0")  # another layer keeps the chosen row
    page.locator("#pick-layer option[value='0'][selected]").wait_for(state="attached")
    assert "token 3 “cat”" in page.locator("table.weights-table caption").inner_text()


def test_after_run_focus_moves_to_the_result_and_the_status_is_announced(page, live_server, user, client):
    services.worker_heartbeat_beat(hostname="celery@test", pid=1)  # a worker "alive": the panel polls every second
    _log_in(page, client, user, live_server)
    page.goto(f"{live_server.url}/demos/attention/?model=decoder&text=the+cat+sat")
    page.wait_for_load_state()
    _tab_to(page, "button[type=submit]")
    page.keyboard.press("Enter")
    page.locator("#run-panel.status-queued").wait_for()
    page.wait_for_function("document.getElementById('run-status').textContent.startsWith('Run queued')")
    assert page.get_attribute("#run-status", "aria-live") == "polite"
    assert page.evaluate("document.activeElement.closest('#run-panel')") is None  # nothing to read yet

    run = DemoRun.objects.get(user=user)
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.DONE, result=ATTENTION_RESULT,
                                             finished_at=timezone.now())  # fmt: skip
    page.locator("#run-panel.status-done table.weights-table").wait_for(timeout=15_000)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'run-h'")
    assert page.inner_text("#run-status") == "Run done: the result follows."
