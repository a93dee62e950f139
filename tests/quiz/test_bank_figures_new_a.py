"""Worked figures in the bank's topics 11-15, recomputed: each string must appear in its card and equal the expression.

The figure's first number is compared with the expression rounded to as many decimals as the card shows.
"""

import re
from functools import cache

import pytest
import yaml

from quiz.services.bank import BANK_DIR

FIGURES = [
    # --- 11 state-space models and hybrids
    ("ssm-state-vs-kv-cache-memory", "$8192\\times16=131{,}072$", 8192 * 16),
    ("ssm-state-vs-kv-cache-memory", "$2\\times4096=8{,}192$", 2 * 4096),
    ("ssm-state-vs-kv-cache-memory", "just **16 tokens**", 8192 * 16 / (2 * 4096)),
    ("ssm-state-vs-kv-cache-memory", "$32{,}768\\times8{,}192=268{,}435{,}456$", 32768 * 8192),
    ("ssm-state-vs-kv-cache-memory", "**2,048 times**", 32768 * 8192 / (8192 * 16)),
    ("ssm-state-vs-kv-cache-memory", "$2\\times8\\times128=2{,}048$", 2 * 8 * 128),
    ("ssm-state-vs-kv-cache-memory", "equals 64 tokens", 8192 * 16 / (2 * 8 * 128)),
    ("ssm-state-vs-kv-cache-memory", "8x larger than Mamba-1", 128 / 16),
]


@cache
def _cards() -> dict[str, dict]:
    cards = {}
    for path in sorted(BANK_DIR.glob("1[1-5]-*.yaml")):
        for card in yaml.safe_load(path.read_text(encoding="utf-8"))["cards"]:
            cards[card["slug"]] = card
    return cards


def _shown_number(figure: str) -> tuple[float, int]:
    """The figure's first number as written (LaTeX thousands braces and commas removed) and its decimals."""
    plain = figure.replace("{,}", "").replace(",", "")
    # Skip numbers that are factors of a product shown before the '=' (e.g. "2\\times4096=8192" checks 8192).
    if "=" in plain:
        plain = plain.rsplit("=", 1)[1]
    match = re.search(r"\d+(?:\.\d+)?", plain)
    assert match, f"no number in {figure!r}"
    text = match.group()
    return float(text), len(text.split(".")[1]) if "." in text else 0


@pytest.mark.parametrize(("slug", "figure", "value"), FIGURES, ids=[f"{s}:{f}" for s, f, _ in FIGURES])
def test_worked_figure_is_stated_and_right(slug, figure, value):
    card = _cards()[slug]
    text = " ".join([card["answer"], card.get("details") or ""])
    assert figure in text, f"{slug}: {figure!r} not found in the card"
    shown, decimals = _shown_number(figure)
    assert shown == round(value, decimals), f"{slug}: card says {shown}, recomputed {value}"
