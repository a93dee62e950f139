"""The lora, quantization and kvcache kinds through a real Celery worker with the real models. Kept short."""

import pytest

from demos import services
from demos.models import DemoRun
from tests.live_worker import run_wait

pytestmark = pytest.mark.worker


def test_lora_on_the_workers_lm_counts_460800_and_measures_the_adapter(demo_worker, user):
    run = run_wait(services.demo_run_start(user=user, kind="lora", params={"model": "demo-lm"}).pk)
    assert run.status == DemoRun.Status.DONE, run.error
    report = run.result["report"]
    assert (report["trainable"], report["total"]) == (460_800, 134_975_808)
    assert report["adapter"]["method"] == "measured" and report["formula_matches_peft"]
    assert [m["key"] for m in run.result["memory"]["methods"]] == ["full", "lora", "qlora"]


def test_quantization_runs_the_chosen_variants_and_lists_the_rest(demo_worker, user):
    params = {"variants": ["fp32", "legacy-int8-dynamic", "bnb-nf4"], "max_new_tokens": 4, "runs": 1,
              "prompt": "What is a tensor?"}  # fmt: skip
    run = run_wait(services.demo_run_start(user=user, kind="quantization", params=params).pk, timeout=300)
    assert run.status == DemoRun.Status.DONE, run.error
    rows = {row["key"]: row for row in run.result["variants"]}
    assert list(rows) == ["fp32", "legacy-int8-dynamic", "bnb-nf4"]
    assert rows["legacy-int8-dynamic"]["weight_bytes"] < rows["fp32"]["weight_bytes"] / 2
    assert rows["bnb-nf4"]["available"] or rows["bnb-nf4"]["reason"]


def test_kvcache_series_comes_back_from_the_worker(demo_worker, user):
    run = run_wait(services.demo_run_start(user=user, kind="kvcache", params={"max_length": "32"}).pk)
    assert run.status == DemoRun.Status.DONE, run.error
    assert run.result["lengths"] == [4, 8, 16, 32] and run.result["same_tokens"]
    assert len(run.result["step_ms_without"]) == 32
