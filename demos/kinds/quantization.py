"""The `quantization` demo kind: the worker's LM in several precisions (the variants: worker.catalog)."""

from django.conf import settings

from demos import ml_charts
from demos.kinds.base import DemoKind, Progress
from demos.params import Int, MultiChoice, Text
from worker.catalog import DEMO_PROMPT, QUANT_DEFAULT_VARIANTS, QUANT_VARIANTS

PROMPT_MAX_CHARS = 500
QUANT_VARIANT_CHOICES = tuple(QUANT_VARIANTS.items())


def _quantization_run(params: dict, progress: Progress) -> dict:
    from worker.quantization import quantization_compare

    def step(done, total, label, partial=None):
        progress(done, total + 1, label, partial=partial)

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


QUANTIZATION = DemoKind(
    slug="quantization",
    title="Quantization: speed, size and quality",
    summary="SmolLM2 in fp32, bf16, int8 and int4 (torchao, torch.ao, bitsandbytes on a GPU), measured on the "
            "worker: weight memory, prefill latency, decode tokens/s, perplexity and agreement with fp32.",
    fields=(
        Text(name="prompt", label="Prompt", default=DEMO_PROMPT, max_length=PROMPT_MAX_CHARS,
             help=f"Up to {PROMPT_MAX_CHARS} characters; sent as one chat turn."),
        MultiChoice(name="variants", label="Variants (fp32, the baseline, always runs)", choices=QUANT_VARIANT_CHOICES,
                    default=list(QUANT_DEFAULT_VARIANTS),
                    help="Variants this worker cannot run are listed with the reason, at no cost. int8 dynamic "
                         "(torchao) is slow on a CPU (about 40 s here): with it, pick fewer others."),
        Int(name="max_new_tokens", label="New tokens per run", default=12, low=4, high=64),
        Int(name="runs", label="Timed runs (median)", default=1, low=1, high=5),
    ),
    run=_quantization_run,
    model_name=lambda params: settings.DEMO_LM,
    result_template="demos/quantization/_result.html",
    intro_template="demos/quantization/_intro.html",
    present=quantization_present,
)  # fmt: skip
