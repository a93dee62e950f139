"""Bar and line charts drawn on the server as SVG, for the LoRA, quantization and KV-cache results.

Drawn with the site's SVG module (quizsite/svg.py): every bar and point has a <title> the browser shows on hover and
screen readers read; labels are escaped there, so templates can output the SVG as it is.
"""

import math

from django.utils.safestring import SafeString, mark_safe

from quizsite import svg

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

    parts = []
    for i, item in enumerate(items):
        y = top + i * row_h
        fill = ACCENT if item.get("highlight", True) else MUTED
        w = max(1.0, length(item["value"]))
        tip = f"{item['label']}: {item['value']:,.6g}{unit}" + (f" ({item['note']})" if item.get("note") else "")
        parts += [
            svg.element("text", {"x": 0, "y": y + 11, "font_size": FONT}, text=item["label"]),
            svg.element("rect", {"x": 0, "y": y + 16, "width": w, "height": bar_h, "rx": 2, "fill": fill}, title=tip),
            svg.element("text", {"x": w + 5, "y": y + 16 + bar_h / 2, "font_size": FONT,
                                 "dominant_baseline": "middle"}, text=_fmt(item["value"]) + unit),
        ]  # fmt: skip
    scale = f"log scale from {_fmt(low)}" if log else "linear scale from 0"
    parts.append(svg.element("text", {"x": 0, "y": height - 3, "font_size": FONT - 1, "fill": MUTED}, text=scale))
    return _document(width, height, caption, parts)


def _document(width: int, height: int, caption: str, parts: list[SafeString]) -> SafeString:
    """The chart at its drawn size or smaller; on a phone it keeps its drawn size (text at 11-12 px) and its box
    scrolls sideways, reachable by keyboard (site.css, .ml-chart-scroll)."""
    chart = svg.document(width, height, label=caption, parts=parts, class_="ml-chart", width="100%",
                         style=f"max-width:{width}px;--chart-w:{width}px")  # fmt: skip
    return svg.element("div", {"class_": "ml-chart-scroll", "tabindex": 0, "role": "group",
                               "aria_label": f"{caption} (scrolls sideways on a small screen)"}, children=[chart])  # fmt: skip


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

    def text(x: float, y: float, content: str, **attrs) -> SafeString:
        return svg.element("text", {"x": x, "y": y, "font_size": FONT - 1, **attrs}, text=content)

    parts = [
        svg.element("line", {"x1": left, "y1": top + plot_h, "x2": left + plot_w, "y2": top + plot_h, "stroke": MUTED}),
        svg.element("line", {"x1": left, "y1": top, "x2": left, "y2": top + plot_h, "stroke": MUTED}),
    ]
    for frac in (0, 0.5, 1):
        y, x = y_max * frac, x_max * frac
        parts.append(text(left - 6, py(y), _fmt(y), text_anchor="end", dominant_baseline="middle"))
        parts.append(text(px(x), top + plot_h + 16, _fmt(x), text_anchor="middle"))
    parts.append(svg.element("text", {"x": round(left + plot_w / 2), "y": height - 6, "font_size": FONT,
                                      "text_anchor": "middle"}, text=x_label))  # fmt: skip
    parts.append(svg.element("text", {"transform": f"translate(14,{top + plot_h / 2:.0f}) rotate(-90)",
                                      "font_size": FONT, "text_anchor": "middle"}, text=y_label))  # fmt: skip
    for i, s in enumerate(series):
        color = s.get("color") or (ACCENT, SECOND, MUTED)[i % 3]
        path = " ".join(f"{svg.number(px(x))},{svg.number(py(y))}" for x, y in s["points"])
        parts.append(svg.element("polyline", {"points": path, "fill": "none", "stroke": color, "stroke_width": 2}))
        if len(s["points"]) <= 40:
            for x, y in s["points"]:
                parts.append(svg.element("circle", {"cx": px(x), "cy": py(y), "r": 3.5, "fill": color},
                                         title=f"{s['name']}: {_fmt(x)} → {y:,.4g}"))  # fmt: skip
        lx = round(left + i * (plot_w / 2))
        parts.append(svg.element("rect", {"x": lx, "y": 8, "width": 14, "height": 4, "fill": color}))
        parts.append(svg.element("text", {"x": lx + 20, "y": 11, "font_size": FONT, "dominant_baseline": "middle"},
                                 text=s["name"]))  # fmt: skip
    return _document(width, height, caption, parts)
