"""The `attention` demo kind: every head of every layer, their average and the rollout, for an encoder and a
decoder."""

from django.conf import settings

from demos import presenters
from demos.kinds.base import TEXT_MAX_CHARS, DemoKind, Progress
from demos.params import Choice, Int, Text
from worker.catalog import ATTENTION_MODELS


def _attention_run(params: dict, progress: Progress) -> dict:
    from worker.attention import attention_maps

    progress(0, 1, f"Running the {params['model']}")
    return attention_maps(text=params["text"], model=params["model"], max_tokens=params["max_tokens"])


ATTENTION = DemoKind(
    slug="attention",
    title="Attention maps",
    summary="Where each token looks: every head of every layer, their average and the attention rollout, "
            "for a bidirectional encoder and a causal decoder.",
    fields=(
        Text(name="text", label="Text", default="The animal didn't cross the street because it was too tired.",
             max_length=TEXT_MAX_CHARS, help=f"Up to {TEXT_MAX_CHARS} characters."),
        Choice(name="model", label="Model", default="encoder",
               choices=tuple(ATTENTION_MODELS.items()),
               help="The encoder sees both sides; the decoder only what came before."),
        Int(name="max_tokens", label="Max tokens", default=32, low=2, high=64,
            help="Longer texts are cut to this many tokens."),
    ),
    run=_attention_run,
    model_name=lambda params: settings.DEMO_ENCODER if params["model"] == "encoder" else settings.DEMO_LM,
    result_template="demos/attention/_result.html",
    intro_template="demos/attention/_intro.html",
    present_parts=presenters.attention_present,
)  # fmt: skip
