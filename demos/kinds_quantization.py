"""The `quantization` and `kvcache` demo kinds: the worker's LM in several precisions, and generation with and
without the KV cache. Torch-free; a test keeps QUANT_VARIANTS equal to worker.quantization.VARIANTS."""

from django.conf import settings

from demos import ml_charts
from demos.kinds import DemoKind, Progress, kind_register
from demos.params import Choice, Int, MultiChoice, Text

PROMPT_MAX_CHARS = 500
DEFAULT_PROMPT = "Explain in two sentences what the attention layer of a transformer does."
# worker.quantization.VARIANTS (key, label): not imported here, that module imports torch.
QUANT_VARIANTS = (
    ("fp32", "fp32"),
    ("bf16", "bf16"),
    ("fp16", "fp16"),
    ("ao-int8-dynamic", "int8 dynamic (torchao)"),
    ("legacy-int8-dynamic", "int8 dynamic (torch.ao, legacy)"),
    ("ao-int8-weight-only", "int8 weight-only (torchao)"),
    ("ao-int4-weight-only", "int4 weight-only (torchao)"),
    ("ao-int4-cpu", "int4 weight-only CPU (torchao prototype)"),
    ("ao-int4-tinygemm", "int4 weight-only tinygemm (torchao)"),
    ("bnb-int8", "LLM.int8 (bitsandbytes)"),
    ("bnb-nf4", "NF4 (bitsandbytes)"),
)
# 128 without the cache takes ~40 s on the 2-core CPU; 256 would pass the 120 s run limit.
KV_MAX_LENGTHS = (("32", "32 tokens"), ("64", "64 tokens"), ("128", "128 tokens"))
# torchao's int8 dynamic path is slow on CPU (~40 s for its perplexity pass alone): opt-in, to stay in the limit.
SLOW_ON_CPU = ("ao-int8-dynamic",)


def kv_lengths(max_length: int) -> list[int]:
    """Four points up to the maximum: 128 → 16, 32, 64, 128."""
    return [max_length // 8, max_length // 4, max_length // 2, max_length]


def _quantization_run(params: dict, progress: Progress) -> dict:
    from worker.quantization import quantization_compare

    def step(done, total, label):
        progress(done, total + 1, label)

    return quantization_compare(text=params["prompt"], max_new_tokens=params["max_new_tokens"], runs=params["runs"],
                                variants=tuple(params["variants"]), progress=step)  # fmt: skip


def quantization_present(result: dict, query) -> dict:
    rows = [row for row in result["variants"] if row.get("available")]
    speed = [{"label": row["label"], "value": row["decode_tps"], "highlight": row["key"] != result["baseline"],
              "note": f"{row['speedup']:.2f}× fp32"} for row in rows]  # fmt: skip
    size = [{"label": row["label"], "value": row["weight_mb"], "highlight": row["key"] != result["baseline"],
             "note": f"{row['size_ratio']:.2f}× fp32"} for row in rows]  # fmt: skip
    return {
        "rows": rows,
        "missing": [row for row in result["variants"] if not row.get("available")],
        "speed_svg": ml_charts.bar_chart_svg(speed, caption="Decode tokens per second per variant", unit=" tok/s"),
        "size_svg": ml_charts.bar_chart_svg(size, caption="Weight memory per variant", unit=" MB"),
    }


def _kvcache_run(params: dict, progress: Progress) -> dict:
    from worker.kvcache import kvcache_compare

    return kvcache_compare(lengths=kv_lengths(int(params["max_length"])), text=params["prompt"], progress=progress)


def kvcache_present(result: dict, query) -> dict:
    lengths = result["lengths"]
    cumulative = [
        {"name": "with KV cache", "points": [(0, 0), *zip(lengths, result["with_cache_s"], strict=True)]},
        {
            "name": "without (use_cache=False)",
            "points": [(0, 0), *zip(lengths, result["without_cache_s"], strict=True)],
        },
    ]
    steps = [
        {"name": "with KV cache", "points": list(enumerate(result["step_ms_with"], start=1))[1:]},
        {"name": "without (use_cache=False)", "points": list(enumerate(result["step_ms_without"], start=1))[1:]},
    ]
    return {
        "rows": [
            {"length": n, "with_s": a, "without_s": b, "speedup": s}
            for n, a, b, s in zip(
                lengths, result["with_cache_s"], result["without_cache_s"], result["speedup"], strict=True
            )
        ],  # fmt: skip
        "cumulative_svg": ml_charts.line_chart_svg(
            cumulative,
            caption="Generation time against generated length",
            x_label="new tokens generated",
            y_label="seconds",
        ),  # fmt: skip
        "steps_svg": ml_charts.line_chart_svg(
            steps,
            caption="Time of each decoding step",
            x_label="step (token position after the prompt)",
            y_label="ms per step",
        ),  # fmt: skip
    }


QUANTIZATION = kind_register(DemoKind(
    slug="quantization",
    title="Quantization: speed, size and quality",
    summary="SmolLM2 in fp32, bf16, int8 and int4 (torchao, torch.ao, bitsandbytes on a GPU), measured on the "
            "worker: weight memory, prefill latency, decode tokens/s, perplexity and agreement with fp32.",
    fields=(
        Text(name="prompt", label="Prompt", default=DEFAULT_PROMPT, max_length=PROMPT_MAX_CHARS,
             help=f"Up to {PROMPT_MAX_CHARS} characters; sent as one chat turn."),
        MultiChoice(name="variants", label="Variants (fp32, the baseline, always runs)", choices=QUANT_VARIANTS,
                    default=[key for key, _ in QUANT_VARIANTS if key not in SLOW_ON_CPU],
                    help="Variants this worker cannot run are listed with the reason, at no cost. int8 dynamic "
                         "(torchao) is slow on a CPU (about 40 s here): with it, pick fewer others."),
        Int(name="max_new_tokens", label="New tokens per run", default=16, low=4, high=64),
        Int(name="runs", label="Timed runs (median)", default=2, low=1, high=5),
    ),
    run=_quantization_run,
    model_name=lambda params: settings.DEMO_LM,
    result_template="demos/quantization/_result.html",
    intro_template="demos/quantization/_intro.html",
    present=quantization_present,
))  # fmt: skip

KVCACHE = kind_register(DemoKind(
    slug="kvcache",
    title="KV cache: generation with and without it",
    summary="Greedy generation on SmolLM2 timed step by step with the key/value cache and without it "
            "(use_cache=False): constant steps against steps that grow with the length.",
    fields=(
        Text(name="prompt", label="Prompt", default=DEFAULT_PROMPT, max_length=PROMPT_MAX_CHARS,
             help=f"Up to {PROMPT_MAX_CHARS} characters; sent as one chat turn."),
        Choice(name="max_length", label="Generate up to", default="128", choices=KV_MAX_LENGTHS,
               help="Times are read at 1/8, 1/4, 1/2 and all of it."),
    ),
    run=_kvcache_run,
    model_name=lambda params: settings.DEMO_LM,
    result_template="demos/kvcache/_result.html",
    intro_template="demos/kvcache/_intro.html",
    present=kvcache_present,
))  # fmt: skip
