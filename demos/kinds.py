"""The registry of demo kinds: what each live demo takes, how it runs in the worker, and how its result is shown.

Adding a kind (say "lora"):

1. Model code in `worker/<name>.py`: a function with keyword-only arguments returning a JSON-able dict.
2. Declare the kind in its own module `demos/kinds_<name>.py` and import that module at the bottom of this
   file (or append to this file while it stays short)::

       kind_register(DemoKind(
           slug="lora", title="LoRA parameter counts", summary="One line for the demo index card.",
           fields=(Int(name="rank", label="Rank r", default=8, low=1, high=256), ...),  # bounds: demos.params
           run=_lora_run,            # (params, progress) -> dict; import the worker module INSIDE it, so the
                                     # web process never imports torch; call progress(done, total, label) now
                                     # and then: it moves the bar and enforces the soft time limit (the solo
                                     # pool cannot)
           model_name=lambda params: "",   # part of the cache key; "" when no model is loaded
           result_template="demos/lora/_result.html",  # gets `run`, `result` and `view` (no `result` with
                                                       # present_parts)
           intro_template="demos/lora/_intro.html",    # optional: what to look at, shown on the demo page
           present=None,             # optional (result, query) -> dict `view`: pickers re-rendered by GET, no rerun
           present_parts=None,       # instead of `present` for results of megabytes: (fetch, query) -> `view`,
                                     # fetch(("key", 0), ...) reads only those parts (demos/presenters.py)
       ))

3. The slug is what bank cards name in `demo:` (quiz.services.bank.DEMO_SLUGS) and the demo page's URL.
4. Tests: one per bound in the style of tests/demos/test_validation.py, one real run through `live_worker`.

Everything else (cache, rate limits, queue, progress bar, permanent links, history, API) comes with the platform.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from django.conf import settings

from demos import presenters
from demos.params import (
    ERR_NOT_OBJECT,
    ERR_UNKNOWN_KIND,
    ERR_UNKNOWN_PARAM,
    Choice,
    DemoParamError,
    Field,
    Float,
    FloatList,
    Int,
    MultiChoice,
    Text,
)

TEXT_MAX_CHARS = 500
SEED_MAX = 2**31 - 1


class Progress(Protocol):
    def __call__(self, done: float, total: float = 1, label: str = "") -> None: ...


@dataclass(frozen=True, kw_only=True)
class DemoKind:
    slug: str
    title: str
    summary: str
    fields: tuple[Field, ...]
    run: Callable[[dict, Progress], dict]
    result_template: str
    intro_template: str = ""
    model_name: Callable[[dict], str] = lambda params: ""
    present: Callable[[dict, Any], dict] | None = None
    present_parts: Callable[[Callable[..., list], Any], dict] | None = None

    def validate(self, params) -> dict:
        """Complete, clean parameters (defaults filled in), or DemoParamError naming the first bad one."""
        if not isinstance(params, dict):
            raise DemoParamError("params", ERR_NOT_OBJECT)
        names = {field.name for field in self.fields}
        for name in params:
            if name not in names:
                raise DemoParamError(name, ERR_UNKNOWN_PARAM)
        return {f.name: f.clean(params[f.name]) if f.name in params else f.default for f in self.fields}

    def params_from_query(self, query, *, submitted: bool = False) -> dict:
        """Raw values present in a QueryDict (a pre-filling link, or a `submitted` form), for `validate`."""
        raw = {field.name: field.from_query(query, submitted=submitted) for field in self.fields}
        return {name: value for name, value in raw.items() if value is not None}

    def prefill(self, params: dict) -> dict:
        """The valid values among `params`, the others dropped (a link or a card may be stale). Never raises."""
        values = {}
        for field in self.fields:
            if field.name in params:
                try:
                    values[field.name] = field.clean(params[field.name])
                except DemoParamError:
                    pass
        return values

    def initial(self, query) -> dict:
        """The form's values: the defaults, overridden by the valid values a link carries."""
        return {field.name: field.default for field in self.fields} | self.prefill(self.params_from_query(query))

    def query_string(self, params: dict) -> str:
        """The demo page's pre-fill for these parameters (the inverse of `initial`)."""
        return urlencode({f.name: f.display(params[f.name]) for f in self.fields if f.name in params})


KINDS: dict[str, DemoKind] = {}


def kind_register(kind: DemoKind) -> DemoKind:
    if kind.slug in KINDS:
        raise ValueError(f"demo kind {kind.slug!r} is registered twice")
    KINDS[kind.slug] = kind
    return kind


def kind_get(slug: str) -> DemoKind:
    try:
        return KINDS[slug]
    except (KeyError, TypeError):
        raise DemoParamError("kind", ERR_UNKNOWN_KIND.format(choices=", ".join(KINDS))) from None


# --- Attention maps ---------------------------------------------------------------------------------------------


def _attention_run(params: dict, progress: Progress) -> dict:
    from worker.attention import attention_maps

    progress(0, 1, f"Running the {params['model']}")
    return attention_maps(text=params["text"], model=params["model"], max_tokens=params["max_tokens"])


kind_register(DemoKind(
    slug="attention",
    title="Attention maps",
    summary="Where each token looks: every head of every layer, their average and the attention rollout, "
            "for a bidirectional encoder and a causal decoder.",
    fields=(
        Text(name="text", label="Text", default="The animal didn't cross the street because it was too tired.",
             max_length=TEXT_MAX_CHARS, help=f"Up to {TEXT_MAX_CHARS} characters."),
        Choice(name="model", label="Model", default="encoder",
               choices=(("encoder", "Encoder: MiniLM-L6"), ("decoder", "Decoder: SmolLM2-135M")),
               help="The encoder sees both sides; the decoder only what came before."),
        Int(name="max_tokens", label="Max tokens", default=32, low=2, high=64,
            help="Longer texts are cut to this many tokens."),
    ),
    run=_attention_run,
    model_name=lambda params: settings.DEMO_ENCODER if params["model"] == "encoder" else settings.DEMO_LM,
    result_template="demos/attention/_result.html",
    intro_template="demos/attention/_intro.html",
    present_parts=presenters.attention_present,
))  # fmt: skip


# --- Decoding strategies ----------------------------------------------------------------------------------------

STRATEGY_CHOICES = tuple(presenters.STRATEGY_LABELS.items())


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

    def on_tokens(done, total):
        progress(done, total + 1, f"Generating: {done} of {total} tokens")

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


kind_register(DemoKind(
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
))  # fmt: skip


# --- Kinds declared in their own modules (they import this one, so at the bottom) ---------------------------------
from demos import kinds_lora, kinds_quantization  # noqa: E402, F401
