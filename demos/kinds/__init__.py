"""The demo kinds, in the order of the demo index. One module per kind (demos/kinds/<slug>.py) on the base in
demos/kinds/base.py; this tuple is the only list of them (how to add one: demos/kinds/base.py)."""

from demos.kinds.attention import ATTENTION
from demos.kinds.base import SEED_MAX, TEXT_MAX_CHARS, DemoKind, Progress
from demos.kinds.decoding import DECODING, STRATEGY_CHOICES, strategy_spec
from demos.kinds.kvcache import KVCACHE
from demos.kinds.lora import LORA
from demos.kinds.quantization import QUANTIZATION
from demos.params import ERR_UNKNOWN_KIND, DemoParamError

KINDS: dict[str, DemoKind] = {kind.slug: kind for kind in (ATTENTION, DECODING, LORA, QUANTIZATION, KVCACHE)}

__all__ = ["KINDS", "SEED_MAX", "STRATEGY_CHOICES", "TEXT_MAX_CHARS", "DemoKind", "Progress", "kind_get",
           "strategy_spec"]  # fmt: skip


def kind_get(slug: str) -> DemoKind:
    try:
        return KINDS[slug]
    except (KeyError, TypeError):
        raise DemoParamError("kind", ERR_UNKNOWN_KIND.format(choices=", ".join(KINDS))) from None
