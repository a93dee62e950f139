"""Bar and line charts drawn on the server as SVG, for the LoRA, quantization and KV-cache results.

No JavaScript and no plotting library: every bar and point has a <title> the browser shows on hover and screen
readers read; labels are escaped here, so templates can output the SVG as it is.
"""

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

ACCENT = "#4b3fd6"  # --accent in site.css
MUTED = "#9a98b0"
SECOND = "#d9822b"
FONT = 12
CHAR_W = 0.6 * FONT  # average glyph width, to size the label column


def _fmt(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    for limit, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if magnitude >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def bar_chart_svg(
    items: list[dict], *, caption: str, unit: str = "", log: bool = False, width: int = 420
) -> SafeString:
    """Horizontal bars, one per item {"label", "value", optional "highlight", "note"}, each label above its bar
    (so long labels cost no width and the chart stays readable when a phone scales it down); log scale on request.

    A log scale starts at the decade below the smallest value, so every bar is visible and equal ratios have
    equal lengths (trainable parameters over r = 1 … 256 double at each step).
    """
    items = [item for item in items if item["value"] is not None and math.isfinite(item["value"])]
    if not items:
        return mark_safe("")
    value_w = 10 + CHAR_W * max(len(_fmt(item["value"]) + unit) for item in items)
    plot_w = width - value_w - 4
    row_h, bar_h, top = 36, 14, 2
    height = top + len(items) * row_h + 16
    values = [item["value"] for item in items]
    if log:
        low = 10 ** math.floor(math.log10(max(min(v for v in values if v > 0), 1e-12)))
        span = math.log10(max(values) / low) or 1

        def length(v: float) -> float:
            return plot_w * math.log10(max(v, low) / low) / span if v > 0 else 0
    else:
        high = max(max(values), 1e-12)

        def length(v: float) -> float:
            return plot_w * max(v, 0) / high

    parts = [
        f'<svg class="ml-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" aria-label="{escape(caption)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, item in enumerate(items):
        y = top + i * row_h
        fill = ACCENT if item.get("highlight", True) else MUTED
        w = max(1.0, length(item["value"]))
        tip = f"{item['label']}: {item['value']:,.6g}{unit}" + (f" ({item['note']})" if item.get("note") else "")
        parts.append(
            f'<text x="0" y="{y + 11}" font-size="{FONT}">{escape(item["label"])}</text>'
            f'<rect x="0" y="{y + 16}" width="{w:.1f}" height="{bar_h}" rx="2" fill="{fill}">'
            f"<title>{escape(tip)}</title></rect>"
            f'<text x="{w + 5:.1f}" y="{y + 16 + bar_h / 2:.1f}" font-size="{FONT}" '
            f'dominant-baseline="middle">{escape(_fmt(item["value"]) + unit)}</text>'
        )
    scale = f"log scale from {_fmt(low)}" if log else "linear scale from 0"
    parts.append(f'<text x="0" y="{height - 3}" font-size="{FONT - 1}" fill="{MUTED}">{escape(scale)}</text></svg>')
    return mark_safe("".join(parts))  # noqa: S308 - every label and number above went through escape()


def line_chart_svg(series: list[dict], *, caption: str, x_label: str, y_label: str, width: int = 480,
                   height: int = 300) -> SafeString:  # fmt: skip
    """Lines through points, one per series {"name", "points": [(x, y)], "color"}; linear axes from 0."""
    series = [s for s in series if s["points"]]
    if not series:
        return mark_safe("")
    left, right, top, bottom = 56, 16, 30, 44  # the legend sits in the top margin
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max(x for s in series for x, _ in s["points"]) or 1
    y_max = max(y for s in series for _, y in s["points"]) or 1

    def px(x: float) -> float:
        return left + plot_w * x / x_max

    def py(y: float) -> float:
        return top + plot_h * (1 - y / y_max)

    parts = [
        f'<svg class="ml-chart" role="img" viewBox="0 0 {width} {height}" width="100%" '
        f'style="max-width:{width}px" aria-label="{escape(caption)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="{MUTED}"/>',
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="{MUTED}"/>',
    ]
    for frac in (0, 0.5, 1):
        y = y_max * frac
        parts.append(f'<text x="{left - 6}" y="{py(y):.1f}" font-size="{FONT - 1}" text-anchor="end" '
                     f'dominant-baseline="middle">{escape(_fmt(y))}</text>')  # fmt: skip
        x = x_max * frac
        parts.append(f'<text x="{px(x):.1f}" y="{top + plot_h + 16}" font-size="{FONT - 1}" '
                     f'text-anchor="middle">{escape(_fmt(x))}</text>')  # fmt: skip
    parts.append(f'<text x="{left + plot_w / 2:.0f}" y="{height - 6}" font-size="{FONT}" text-anchor="middle">'
                 f"{escape(x_label)}</text>")  # fmt: skip
    parts.append(f'<text transform="translate(14,{top + plot_h / 2:.0f}) rotate(-90)" font-size="{FONT}" '
                 f'text-anchor="middle">{escape(y_label)}</text>')  # fmt: skip
    for i, s in enumerate(series):
        color = s.get("color") or (ACCENT, SECOND, MUTED)[i % 3]
        path = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in s["points"])
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        if len(s["points"]) <= 40:
            for x, y in s["points"]:
                parts.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{color}">'
                             f"<title>{escape(s['name'])}: {_fmt(x)} → {y:,.4g}</title></circle>")  # fmt: skip
        lx = left + i * (plot_w / 2)
        parts.append(f'<rect x="{lx:.0f}" y="8" width="14" height="4" fill="{color}"/>'
                     f'<text x="{lx + 20:.0f}" y="11" font-size="{FONT}" dominant-baseline="middle">'
                     f"{escape(s['name'])}</text>")  # fmt: skip
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every label and number above went through escape()
