"""Live partial results on the run panel: what a running run has produced so far, in its kind's own template."""

import json
import time
from pathlib import Path

import pytest
from django.utils import timezone

from demos import services
from demos.models import DemoRun

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parent / "data"


def running(user, kind: str, partial: dict) -> DemoRun:
    run = services.demo_run_start(user=user, kind=kind, params={})
    DemoRun.objects.filter(pk=run.pk).update(status=DemoRun.Status.RUNNING, started_at=timezone.now(),
                                             partial=partial, progress=40)  # fmt: skip
    return DemoRun.objects.get(pk=run.pk)


def first_rows(result: dict, count: int) -> dict:
    keys = ("lengths", "with_cache_s", "without_cache_s", "speedup")
    return {**result, **{key: result[key][:count] for key in keys}}


def test_a_running_kv_cache_run_shows_its_finished_rows(client, user):
    final = json.loads((DATA / "kvcache_result.json").read_text())
    run = running(user, "kvcache", first_rows(final, 2))
    panel = client.get(f"/demos/runs/{run.pk}/panel", headers={"HX-Request": "true"}).content.decode()
    assert "So far (the run is still going)" in panel and 'hx-trigger="every ' in panel  # still polling
    assert panel.count("<svg") == 2
    rows = [length for length in final["lengths"] if f'<th scope="row">{length}</th>' in panel]
    assert rows == final["lengths"][:2]


def test_a_running_decoding_run_shows_every_column_so_far(client, user):
    final = json.loads((DATA / "decoding_result.json").read_text())
    columns = [{**row, "tokens": row["tokens"][:3]} for row in final["compare"]["results"]]
    partial = {"compare": {**final["compare"], "results": columns}, "next_token": {"distributions": []}}
    run = running(user, "decoding", partial)
    panel = client.get(f"/demos/runs/{run.pk}/panel", headers={"HX-Request": "true"}).content.decode()
    assert "So far (the run is still going)" in panel
    for row in final["compare"]["results"][:2]:
        assert row["tokens"][0]["token"].strip()[:4] in panel


def test_a_partial_the_presenter_cannot_read_shows_only_the_progress(client, user):
    run = running(user, "kvcache", {"lengths": [4]})  # half-written: the bar, no error
    response = client.get(f"/demos/runs/{run.pk}/panel", headers={"HX-Request": "true"})
    assert response.status_code == 200 and "So far" not in response.content.decode()


def test_the_progress_writer_stores_the_first_partial_at_once_and_stops_a_canceled_run(user):
    run = services.demo_run_start(user=user, kind="kvcache", params={})
    run = services._demo_run_claim(run_id=run.pk, hostname="w")
    progress = services._ProgressWriter(run)
    progress(1, 8, "one row", partial={"lengths": [4]})
    assert DemoRun.objects.get(pk=run.pk).partial == {"lengths": [4]}
    services.demo_run_cancel(run=run, user=user)
    time.sleep(services.CANCEL_CHECK_SECONDS)  # the row is read at most this often: a cancel lands within it
    with pytest.raises(services.DemoCanceled):
        progress(2, 8, "next step")
