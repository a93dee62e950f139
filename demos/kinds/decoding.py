"""The `decoding` demo kind: greedy, beam search and five samplers side by side, and the next-token distribution."""

from django.conf import settings

from demos import presenters
from demos.kinds.base import SEED_MAX, TEXT_MAX_CHARS, DemoKind, Progress
from demos.params import Float, FloatList, Int, MultiChoice, Text
from worker.catalog import STRATEGY_LABELS

STRATEGY_CHOICES = tuple(STRATEGY_LABELS.items())


def strategy_spec(name: str, params: dict) -> dict:
    """worker.decoding's description of one strategy. Each sampling filter samples at temperature 1, so a column
    shows the effect of its own knob only; the temperature column shows temperature alone."""
    knobs = {
        "beam": {"num_beams": params["num_beams"]},
        "temperature": {"temperature": params["temperature"]},
        "top_k": {"k": params["top_k"]},
        "top_p": {"p": params["top_p"]},
        "min_p": {"p": params["min_p"]},
        "typical_p": {"p": params["typical_p"]},
    }
    return {"name": name, **knobs.get(name, {})}


def _decoding_run(params: dict, progress: Progress) -> dict:
    from worker.decoding import next_token_distribution, strategies_compare

    def on_tokens(done, total, partial=None):
        # a partial comparison is shown with an empty next-token panel until the run ends
        shown = None if partial is None else {"compare": {"results": partial}, "next_token": {"distributions": []}}
        progress(done, total + 1, f"Generating: {done} of {total} tokens", partial=shown)

    compare = strategies_compare(
        prompt=params["prompt"],
        strategies=[strategy_spec(name, params) for name in params["strategies"]],
        seed=params["seed"],
        max_new_tokens=params["max_new_tokens"],
        progress=on_tokens,
    )
    progress(0.99, 1, "Next-token distribution")
    # chat=True: the distribution each strategy drew its first token from.
    next_token = next_token_distribution(
        prompt=params["prompt"], temperatures=params["temperatures"], top=20, chat=True
    )
    return {"compare": compare, "next_token": next_token}


DECODING = DemoKind(
    slug="decoding",
    title="Decoding strategies",
    summary="Greedy, beam search and five kinds of sampling side by side on SmolLM2: the text, each token's "
            "probability, perplexity and repetition; and the next-token distribution under several temperatures.",
    fields=(
        Text(name="prompt", label="Prompt", default="Explain in one sentence what attention does in a Transformer.",
             max_length=TEXT_MAX_CHARS, help=f"Up to {TEXT_MAX_CHARS} characters; sent as one chat turn."),
        MultiChoice(name="strategies", label="Strategies", choices=STRATEGY_CHOICES,
                    default=["greedy", "beam", "temperature", "top_k", "top_p"]),
        Int(name="max_new_tokens", label="New tokens", default=24, low=1, high=64),
        Int(name="num_beams", label="Beams (beam search)", default=4, low=2, high=8),
        Float(name="temperature", label="Temperature (temperature sampling)", default=0.7, low=0.05, high=2.0,
              step=0.05),
        Int(name="top_k", label="k (top-k)", default=50, low=1, high=200),
        Float(name="top_p", label="p (top-p)", default=0.9, low=0, high=1, low_open=True),
        Float(name="min_p", label="p (min-p)", default=0.1, low=0, high=1),
        Float(name="typical_p", label="p (typical)", default=0.9, low=0, high=1, low_open=True),
        Int(name="seed", label="Seed", default=0, low=0, high=SEED_MAX, help="Same seed, same samples."),
        FloatList(name="temperatures", label="Next-token temperatures", default=[0.5, 1.0, 1.5], low=0.05, high=2.0,
                  max_count=4, help="Up to 4, e.g. 0.5, 1, 1.5."),
    ),
    run=_decoding_run,
    model_name=lambda params: settings.DEMO_LM,
    result_template="demos/decoding/_result.html",
    intro_template="demos/decoding/_intro.html",
    present=presenters.decoding_present,
)  # fmt: skip
