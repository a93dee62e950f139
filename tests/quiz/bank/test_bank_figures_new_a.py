"""Worked figures in the bank's topics 11-15, recomputed: each string must appear in its card and equal the expression.

The figure's last number is compared with the expression rounded to as many decimals as the card shows.
"""

import re
from functools import cache
from math import comb, log
from statistics import pstdev, stdev

import pytest
import yaml

from quiz.bank.services.bank import BANK_DIR

KV_LLAMA3_8B = 2 * 32 * 8 * 128 * 2  # bytes per token: K and V, 32 layers, 8 KV heads of 128, bf16

FIGURES = [
    # --- 11 state-space models and hybrids
    ("ssm-state-vs-kv-cache-memory", "$8192\\times16=131{,}072$", 8192 * 16),
    ("ssm-state-vs-kv-cache-memory", "$2\\times4096=8{,}192$", 2 * 4096),
    ("ssm-state-vs-kv-cache-memory", "just **16 tokens**", 8192 * 16 / (2 * 4096)),
    ("ssm-state-vs-kv-cache-memory", "$32{,}768\\times8{,}192=268{,}435{,}456$", 32768 * 8192),
    ("ssm-state-vs-kv-cache-memory", "**2,048 times**", 32768 * 8192 / (8192 * 16)),
    ("ssm-state-vs-kv-cache-memory", "$2\\times8\\times128=2{,}048$", 2 * 8 * 128),
    ("ssm-state-vs-kv-cache-memory", "equals 64 tokens", 8192 * 16 / (2 * 8 * 128)),
    ("ssm-state-vs-kv-cache-memory", "a state 8x larger", 128 / 16),
    # --- 12 distributed training
    ("megatron-tensor-parallel-splits", "$8192\\times8192\\times2=134{,}217{,}728$", 8192 * 8192 * 2),
    ("megatron-tensor-parallel-splits", "bytes (128 MiB)", 8192 * 8192 * 2 / 2**20),
    ("megatron-tensor-parallel-splits", "$2\\cdot\\tfrac78\\cdot128=224$", 2 * 7 / 8 * 128),
    ("pipeline-bubble-fraction", "$7/39\\approx17.9\\%$", 100 * (8 - 1) / (32 + 8 - 1)),
    ("pipeline-bubble-fraction", "$7/15\\approx46.7\\%$", 100 * (8 - 1) / (8 + 8 - 1)),
    ("pipeline-bubble-fraction", "$(p-1)/m$: 21.9%", 100 * (8 - 1) / 32),
    ("pipeline-1f1b-and-interleaving", "$7/128\\approx5.5\\%$", 100 * (8 - 1) / (4 * 32)),
    ("pipeline-1f1b-and-interleaving", "$7/32\\approx21.9\\%$", 100 * (8 - 1) / 32),
    ("expert-parallel-all-to-all", "$8\\times7168\\times2=114{,}688$", 8 * 7168 * 2),
    ("fsdp-vs-tensor-parallel", "is 140 GB", 70e9 * 2 / 1e9),
    ("fsdp-vs-tensor-parallel", "so about 420 GB per step", 3 * 70e9 * 2 / 1e9),
    ("fsdp-vs-tensor-parallel", "that is 8.4 s", 3 * 70e9 * 2 / 50e9),
    ("fsdp-vs-tensor-parallel", "(6\\times7\\times10^{10})=8{,}000$", 8.4 * 4e14 / (6 * 7e10)),
    ("fsdp-vs-tensor-parallel", "$4\\times10^{14}/5\\times10^{10}=8{,}000$", 4e14 / 5e10),
    ("collective-communication-costs", "$2\\cdot\\tfrac78\\cdot1=1.75$", 2 * 7 / 8 * 1),
    ("collective-communication-costs", "about 9x faster", 450 / 50),
    ("parallel-layout-worked-example", "$8\\times8\\times16=1{,}024$", 8 * 8 * 16),
    ("parallel-layout-worked-example", "(4,194,304 tokens)", 1024 * 4096),
    ("parallel-layout-worked-example", "$1024/16=64$", 1024 / 16),
    ("parallel-layout-worked-example", "$(p-1)/(m+p-1)=7/71\\approx9.9\\%$", 100 * 7 / 71),
    ("parallel-layout-worked-example", "puts roughly 10", 80 / 8),
    ("parallel-layout-worked-example", "about 1.1B per GPU", 70 / 64),
    ("parallel-layout-worked-example", "about 17.5 GB before", 70e9 / 64 * 16 / 1e9),
    ("training-mfu-estimate", "\\approx964{,}510\\ \\text{tokens/s}", 0.4 * 1024 * 989e12 / (6 * 7e10)),
    ("training-mfu-estimate", "\\approx180$ days", 15e12 / (0.4 * 1024 * 989e12 / (6 * 7e10)) / 86400),
    ("training-mfu-estimate", "looks 33% better", 100 * (8 / 6 - 1)),
    ("activation-memory-and-selective-recompute", "$5as/h=160$", 5 * 64 * 4096 / 8192),
    (
        "activation-memory-and-selective-recompute",
        "$4096\\times8192\\times194=6{,}509{,}559{,}808$",
        4096 * 8192 * (34 + 160),
    ),
    ("activation-memory-and-selective-recompute", "bytes, about 6.5 GB", 4096 * 8192 * 194 / 1e9),
    ("activation-memory-and-selective-recompute", "/8=813{,}694{,}976$", 4096 * 8192 * 194 / 8),
    ("activation-memory-and-selective-recompute", "$34\\,sbh/t=142{,}606{,}336$", 34 * 4096 * 8192 / 8),
    ("activation-memory-and-selective-recompute", "about 11.4 GB", 80 * 34 * 4096 * 8192 / 8 / 1e9),
    ("activation-memory-and-selective-recompute", "instead of 65.1 GB", 80 * 194 * 4096 * 8192 / 8 / 1e9),
    # --- 13 reasoning models and RL
    (
        "self-consistency-voting",
        "0.6^k0.4^{5-k}=0.68256",
        sum(comb(5, k) * 0.6**k * 0.4 ** (5 - k) for k in range(3, 6)),
    ),
    (
        "self-consistency-voting",
        "=0.68256\\approx68.3\\%$",
        100 * sum(comb(5, k) * 0.6**k * 0.4 ** (5 - k) for k in range(3, 6)),
    ),
    ("best-of-n-with-verifiers", "$1-0.8^{16}\\approx97.2\\%$", 100 * (1 - 0.8**16)),
    ("best-of-n-with-verifiers", "about $1.84$", log(16) - 15 / 16),
    ("pass-at-k-estimator", "$1-\\binom75/\\binom{10}5=1-21", comb(7, 5)),
    ("pass-at-k-estimator", "=1-21/252", comb(10, 5)),
    ("pass-at-k-estimator", "1-21/252\\approx91.7\\%$", 100 * (1 - comb(7, 5) / comb(10, 5))),
    ("grpo-group-relative-advantage", "population std $\\sigma\\approx0.433$", pstdev([1, 0, 0, 0])),
    ("grpo-group-relative-advantage", "answer gets $+1.73$", (1 - 0.25) / pstdev([1, 0, 0, 0])),
    ("grpo-group-relative-advantage", "each wrong one $-0.577$", (0.25 - 0) / pstdev([1, 0, 0, 0])),
    ("grpo-group-relative-advantage", "$s=0.5$", stdev([1, 0, 0, 0])),
    ("grpo-group-relative-advantage", "advantages are $+1.5$", 0.75 / stdev([1, 0, 0, 0])),
    ("grpo-group-relative-advantage", "and $-0.5$", 0.25 / stdev([1, 0, 0, 0])),
    ("thinking-budgets", "50 ms per token is 1,000 s", 20_000 * 0.050),
    # --- 14 inference systems
    ("roofline-model", "$I^*\\approx295$", 989e12 / 3.35e12),
    ("prefill-vs-decode-intensity", "at least about 4.8 ms", 16e9 / 3.35e12 * 1e3),
    ("prefill-vs-decode-intensity", "at about 209 tokens/s", 3.35e12 / 16e9),
    ("ttft-tpot-and-goodput", "$0.3+0.025\\times499=12.775$", 0.3 + 0.025 * (500 - 1)),
    ("serving-capacity-from-kv-budget", "$2\\times32\\times8\\times128\\times2=131{,}072$", KV_LLAMA3_8B),
    ("serving-capacity-from-kv-budget", "**128 KiB per token**", KV_LLAMA3_8B / 1024),
    ("serving-capacity-from-kv-budget", "/131{,}072\\approx457{,}764$", 60e9 / KV_LLAMA3_8B),
    ("serving-capacity-from-kv-budget", "/8{,}192\\approx55.9$", 60e9 / KV_LLAMA3_8B / 8192),
    ("serving-capacity-from-kv-budget", "**about 55 sequences**", 60e9 // KV_LLAMA3_8B // 8192),
    ("serving-capacity-from-kv-budget", "per token is 64 KiB", KV_LLAMA3_8B / 2 / 1024),
    ("serving-capacity-from-kv-budget", "about 111 such requests", 60e9 // (KV_LLAMA3_8B / 2) // 8192),
    ("disaggregated-prefill-decode", "$8192\\times131{,}072=1{,}073{,}741{,}824$", 8192 * KV_LLAMA3_8B),
    ("disaggregated-prefill-decode", "bytes (1 GiB)", 8192 * KV_LLAMA3_8B / 2**30),
    ("disaggregated-prefill-decode", "that is about 21.5 ms", 8192 * KV_LLAMA3_8B / 50e9 * 1e3),
    ("speculative-decoding-speedup-math", "gives $3.3616$", (1 - 0.8**5) / (1 - 0.8)),
    ("speculative-decoding-speedup-math", "for $1.2$ units", 4 * 0.05 + 1),
    ("speculative-decoding-speedup-math", "about $2.80\\times$", (1 - 0.8**5) / (1 - 0.8) / (4 * 0.05 + 1)),
    ("kv-cache-quantization", "$131{,}072/4=32{,}768$", KV_LLAMA3_8B / 4),
    ("kv-cache-quantization", "bytes (32 KiB)", KV_LLAMA3_8B / 4 / 1024),
    ("kv-compression-landscape", "$2\\times64\\times128=16{,}384$", 2 * 64 * 128),
    ("kv-compression-landscape", "$2\\times8\\times128=2{,}048$", 2 * 8 * 128),
    ("kv-compression-landscape", "(8x less)", (2 * 64 * 128) / (2 * 8 * 128)),
    ("kv-compression-landscape", "**576 values**", 512 + 64),
    ("kv-compression-landscape", "about 28.4x less", 2 * 64 * 128 / (512 + 64)),
    ("kv-compression-landscape", "gives a 64x smaller", 8 * 2 * 4),
    ("prefix-caching", "=3.2\\times", 2 * 8e9 * 2000 / 1e13),
    ("prefix-caching", "$2000\\times131{,}072=262{,}144{,}000$", 2000 * KV_LLAMA3_8B),
    ("prefix-caching", "bytes (250 MiB)", 2000 * KV_LLAMA3_8B / 2**20),
    # --- 15 optimizers, muP, batch size and sparsity
    ("mup-hyperparameter-transfer", "$10^{-2}/8=1.25\\times", 1e-2 / (2048 / 256) / 1e-3),
    ("critical-batch-size", "needs $2S_{min}$", 1 + 1),
    ("critical-batch-size", "needs $1.25S_{min}$", 1 + 1 / 4),
    ("critical-batch-size", "but $5E_{min}$", 1 + 4),
    ("optimizer-memory-adam-adafactor", "$7\\times10^9\\times8=56$", 7e9 * 8 / 1e9),
    ("optimizer-memory-adam-adafactor", "that is $8{,}192$", 4096 + 4096),
    ("optimizer-memory-adam-adafactor", "values instead of $16{,}777{,}216$", 4096 * 4096),
    ("optimizer-memory-adam-adafactor", "**2,048x fewer**", 4096 * 4096 / (4096 + 4096)),
    ("optimizer-memory-adam-adafactor", "2 bytes per parameter (14", 7e9 * 2 / 1e9),
    ("muon-newton-schulz", "$20{,}480/1{,}048{,}576\\approx1.95\\%$", 100 * 5 * 4096 / 1_048_576),
    ("muon-newton-schulz", "$20{,}480", 5 * 4096),
    ("two-four-sparsity", "$2\\times16+2\\times2=36$", 2 * 16 + 2 * 2),
    ("two-four-sparsity", "**56.25%**", 100 * 36 / 64),
    ("two-four-sparsity", "(about 1.78x smaller)", 64 / 36),
    ("sparsegpt-and-wanda", "$0.5\\times10=5$", 0.5 * 10),
    ("sparsegpt-and-wanda", "$2.0\\times1=2$", 2.0 * 1),
    ("wsd-learning-rate-schedule", "$1+2+4+8+16=31$", 1 + 2 + 4 + 8 + 16),
    ("wsd-learning-rate-schedule", "up to 14.4", 0.9 * 16),
    ("wsd-learning-rate-schedule", "$14.4+0.1\\times31=17.5$", 0.9 * 16 + 0.1 * 31),
    ("wsd-learning-rate-schedule", "about 56% of the cost", 100 * (0.9 * 16 + 0.1 * 31) / 31),
]


@cache
def _cards() -> dict[str, dict]:
    cards = {}
    for path in sorted(BANK_DIR.glob("1[1-5]-*.yaml")):
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
            cards[card["slug"]] = card
    return cards


def _shown_number(figure: str) -> tuple[float, int]:
    """The figure's last number as written (LaTeX thousands braces and commas removed) and its decimals.

    The last number is the result: in "8192\\times16=131{,}072" the factors come first. Signs are not read.
    """
    plain = figure.replace("{,}", "").replace(",", "")
    numbers = re.findall(r"\d+(?:\.\d+)?", plain)
    assert numbers, f"no number in {figure!r}"
    text = numbers[-1]
    return float(text), len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize(("slug", "figure", "value"), FIGURES, ids=[f"{s}:{f}" for s, f, _ in FIGURES])
def test_worked_figure_is_stated_and_right(slug, figure, value):
    card = _cards()[slug]
    text = " ".join([card["answer"], card.get("details") or ""])
    assert figure in text, f"{slug}: {figure!r} not found in the card"
    shown, decimals = _shown_number(figure)
    assert shown == round(value, decimals), f"{slug}: card says {shown}, recomputed {value}"


@pytest.mark.parametrize("slug", sorted(_cards()))
def test_quiz_items_are_complete_and_comparable(slug):
    """Each card of topics 11-15 has an mcq with 3+ distractors of comparable length, and true and false statements."""
    card = _cards()[slug]
    mcq, statements = card["mcq"], card["statements"]
    assert len(mcq["distractors"]) >= 3 and len(mcq["why"]) == len(mcq["distractors"])
    for distractor in mcq["distractors"]:
        assert 0.75 <= len(distractor) / len(mcq["answer"]) <= 1.33, distractor
    assert {item[True] for item in statements} == {True, False}
    assert all(item["text"] and item["why"] for item in statements)
