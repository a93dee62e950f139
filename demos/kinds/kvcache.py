"""The `kvcache` demo kind: greedy generation timed step by step with the key/value cache and without it."""

from django.conf import settings

from demos import ml_charts
from demos.kinds.base import DemoKind, Progress
from demos.params import Choice, Text
from worker.catalog import DEMO_PROMPT, KV_PAGE_MAX_LENGTHS, kv_lengths

PROMPT_MAX_CHARS = 500
MAX_LENGTH_CHOICES = tuple((str(n), f"{n} tokens") for n in KV_PAGE_MAX_LENGTHS)


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


KVCACHE = DemoKind(
    slug="kvcache",
    title="KV cache: generation with and without it",
    summary="Greedy generation on SmolLM2 timed step by step with the key/value cache and without it "
            "(use_cache=False): constant steps against steps that grow with the length.",
    fields=(
        Text(name="prompt", label="Prompt", default=DEMO_PROMPT, max_length=PROMPT_MAX_CHARS,
             help=f"Up to {PROMPT_MAX_CHARS} characters; sent as one chat turn."),
        # 32 by default: a few seconds on a 2-core CPU and already a 2-4x gap at the end (bench/demos.py)
        Choice(name="max_length", label="Generate up to", default=str(KV_PAGE_MAX_LENGTHS[0]), choices=MAX_LENGTH_CHOICES,
               help="Times are read at 1/8, 1/4, 1/2 and all of it."),
    ),
    run=_kvcache_run,
    model_name=lambda params: settings.DEMO_LM,
    result_template="demos/kvcache/_result.html",
    intro_template="demos/kvcache/_intro.html",
    present=kvcache_present,
)  # fmt: skip
