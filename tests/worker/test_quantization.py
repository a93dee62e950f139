"""Quantization variants on the CPU: each one returns, int8 weights are smaller, GPU-only ones say why; KV cache.

Kept short for a shared 2-core CPU: one comparison per module (8 new tokens, one timed run, a short eval text).
"""

import math

import pytest
import torch

from worker import quantization
from worker.kvcache import greedy_timed, kvcache_compare, prompt_ids
from worker.quantization import EVAL_TEXT_PATH, Variant, quantization_compare, weight_bytes

CPU_VARIANTS = ["fp32", "bf16", "ao-int8-dynamic", "legacy-int8-dynamic", "ao-int8-weight-only", "ao-int4-cpu"]
GPU_ONLY = ["fp16", "ao-int4-tinygemm", "bnb-int8", "bnb-nf4"]
INT8 = ["ao-int8-dynamic", "legacy-int8-dynamic", "ao-int8-weight-only"]
EVAL_SHORT = EVAL_TEXT_PATH.read_text()[:400]

cpu_only = pytest.mark.skipif(torch.cuda.is_available(), reason="checks what a CPU worker reports")


@pytest.fixture(scope="module")
def compared(lm):
    calls = []
    result = quantization_compare(text="What is a tensor?", max_new_tokens=8, runs=1, eval_text=EVAL_SHORT,
                                  progress=lambda done, total, label, partial=None: calls.append((done, total, label,
                                                                                                   partial)))  # fmt: skip
    return result, calls


def variants(compared) -> dict:
    return {row["key"]: row for row in compared[0]["variants"]}


@cpu_only
def test_every_cpu_variant_returns_measurements(compared):
    rows = variants(compared)
    for key in CPU_VARIANTS:
        row = rows[key]
        assert row["available"], row
        assert row["prepare_s"] >= 0 and row["prefill_ms"] > 0 and row["decode_tps"] > 0
        assert row["weight_bytes"] > 0 and 0 <= row["agreement"] <= 1 and isinstance(row["sample"], str)


def test_every_variant_is_listed_and_unavailable_ones_give_a_reason(compared):
    rows = variants(compared)
    assert list(rows) == [v.key for v in quantization.VARIANTS]
    assert all(row["reason"] for row in rows.values() if not row["available"])


@cpu_only
def test_int8_weights_are_smaller_than_fp32(compared):
    rows = variants(compared)
    for key in INT8:
        assert rows[key]["weight_bytes"] < 0.5 * rows["fp32"]["weight_bytes"]
    assert rows["ao-int4-cpu"]["weight_bytes"] < rows["ao-int8-weight-only"]["weight_bytes"]
    assert rows["bf16"]["size_ratio"] == pytest.approx(0.5, abs=0.01)


def test_perplexity_is_finite_and_measured_against_fp32(compared):
    rows = [row for row in compared[0]["variants"] if row["available"]]
    assert all(math.isfinite(row["ppl"]) and row["ppl"] > 1 for row in rows)
    baseline = variants(compared)["fp32"]
    assert baseline["ppl_delta"] == 0 and baseline["agreement"] == 1 and baseline["speedup"] == 1


@cpu_only
def test_gpu_only_variants_are_unavailable_on_cpu_with_the_reason(compared):
    rows = variants(compared)
    for key in GPU_ONLY:
        assert not rows[key]["available"]
        assert quantization.ERR_NO_CUDA.format(device="cpu") in rows[key]["reason"]
    if quantization.importlib.util.find_spec("bitsandbytes") is None:
        assert quantization.ERR_NOT_INSTALLED.format(package="bitsandbytes") in rows["bnb-nf4"]["reason"]


def test_result_names_device_versions_and_reports_progress(compared):
    result, calls = compared
    assert result["device"]["device"] in ("cpu", "cuda", "cuda:0")
    assert {"torch", "transformers", "torchao", "bitsandbytes"} <= set(result["versions"])
    assert calls[-1][0] == calls[-1][1] == len(quantization.VARIANTS)


def test_a_variant_that_fails_is_reported_not_raised(lm, monkeypatch):
    def broken(fresh, device):
        raise RuntimeError("kernel missing")

    fp32 = quantization.VARIANTS[0]
    monkeypatch.setattr(quantization, "VARIANTS", (fp32, Variant("broken", "", ("cpu", "cuda"), broken)))
    result = quantization_compare(text="Hi", max_new_tokens=2, runs=1, eval_text="A short text about attention.")
    broken_row = result["variants"][1]
    assert broken_row == {**broken_row, "available": False, "reason": "RuntimeError: kernel missing"}


def test_weight_bytes_counts_torchao_quantized_tensors():
    from torchao.quantization import Int8WeightOnlyConfig, quantize_

    model = torch.nn.Sequential(torch.nn.Linear(256, 256, bias=False))
    fp32 = weight_bytes(model)
    quantize_(model, Int8WeightOnlyConfig())
    assert type(model[0].weight).__name__ != "Parameter"  # a tensor subclass holding int8 data and scales
    assert 256 * 256 * 4 <= fp32 < 256 * 256 * 4 + 4096
    assert 256 * 256 <= weight_bytes(model) < fp32 / 3


def test_greedy_loop_equals_generate_with_and_without_cache(lm):
    model, tokenizer = lm
    ids = prompt_ids(tokenizer, "Name a sorting algorithm.", model.device)
    with torch.inference_mode():
        out = model.generate(ids, attention_mask=torch.ones_like(ids), do_sample=False, max_new_tokens=6)
    expected = out[0, ids.shape[1] :].tolist()
    assert greedy_timed(model, ids, len(expected)).tokens == expected
    assert greedy_timed(model, ids, len(expected), use_cache=False).tokens == expected


def test_kvcache_shows_each_row_as_soon_as_both_modes_reach_its_length(lm):
    partials = []
    result = kvcache_compare(lengths=(2, 4, 6), progress=lambda done, total, label, partial=None: partials.append(
        (done, partial)))  # fmt: skip
    shown = [(done, partial["lengths"]) for done, partial in partials if partial]
    assert shown == [(2, [2]), (4, [2, 4])]  # the last row comes with the result
    assert result["lengths"] == [2, 4, 6]
    first = next(partial for _, partial in partials if partial)
    assert set(first) == set(result)  # the final result's shape: the page's own template shows it


def test_quantization_shows_each_variant_row_when_it_is_measured(compared):
    result, calls = compared
    partial_rows = [[row["key"] for row in partial["variants"]] for *_, partial in calls if partial]
    final = [row["key"] for row in result["variants"]]
    assert partial_rows[0] == ["fp32"]
    assert all(rows == final[: len(rows)] for rows in partial_rows)  # the table growing row by row
    measured = {row["key"] for row in result["variants"] if row.get("available")}
    assert measured <= set(partial_rows[-1])


def test_kvcache_series_covers_every_length(lm):
    result = kvcache_compare(lengths=(2, 4, 6))
    assert result["lengths"] == [2, 4, 6]
    assert len(result["with_cache_s"]) == len(result["without_cache_s"]) == 3
    assert len(result["step_ms_with"]) == len(result["step_ms_without"]) == 6
    assert result["same_tokens"]
    assert all(b > a for a, b in zip(result["with_cache_s"], result["with_cache_s"][1:], strict=False))


def test_kvcache_refuses_lengths_out_of_range():
    with pytest.raises(ValueError):
        kvcache_compare(lengths=(0, 8))
