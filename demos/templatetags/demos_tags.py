from django import template
from django.urls import reverse

from demos.kinds import KINDS
from demos.params import Text
from demos.services import MSG_NO_WORKER

register = template.Library()


@register.inclusion_tag("demos/_try_it.html")
def demo_try_link(card):
    """ "Try it live" on a card: its demo pre-filled from card.demo_params, else with the card's question as text."""
    demo = KINDS.get(card.demo_slug)
    if demo is None:
        return {"url": ""}
    params = demo.prefill(card.demo_params or {})
    text = next((field for field in demo.fields if isinstance(field, Text)), None)
    if text and text.name not in params:
        params[text.name] = card.question[: text.max_length]
    return {"url": reverse("demos:detail", args=[demo.slug]) + "?" + demo.query_string(params), "demo": demo}


@register.simple_tag
def no_worker_message() -> str:
    return MSG_NO_WORKER


@register.filter
def kind_title(kinds: dict, slug: str) -> str:
    demo = kinds.get(slug)
    return demo.title if demo else slug


@register.filter
def run_input(run) -> str:
    """The run's main text input (its kind's first text field), for lists of runs."""
    demo = KINDS.get(run.kind)
    text = next((field for field in demo.fields if isinstance(field, Text)), None) if demo else None
    return str(run.params.get(text.name, "")) if text else ""
