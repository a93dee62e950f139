"""Statistics charts as inline SVG, drawn on the server with the site's SVG module (quizsite/svg.py). Colours come
from site.css classes, so the charts follow the light and dark themes. Each chart has a text title for screen
readers."""

from datetime import date

from django.utils.safestring import SafeString

from quiz.study.services.study import RATINGS
from quizsite import svg


def _svg(width: int, height: int, label: str, parts: list[SafeString]) -> SafeString:
    return svg.document(width, height, label=label, parts=parts, title=True, class_="chart",
                        preserveAspectRatio="xMinYMin meet")  # fmt: skip


def _text(css: str, x: float, y: float, content, **attrs) -> SafeString:
    return svg.element("text", {"class_": css, "x": x, "y": y, **attrs}, text=str(content))


def _empty(width: int, height: int, label: str, message: str) -> SafeString:
    parts = [
        svg.element("rect", {"class_": "c-empty-bg", "x": 0.5, "y": 0.5, "width": width - 1, "height": height - 1,
                             "rx": 8}),
        _text("c-empty", width / 2, height / 2 + 5, message, text_anchor="middle"),
    ]  # fmt: skip
    return _svg(width, height, label, parts)


def heatmap(days: list[tuple[date, int]]) -> SafeString:
    """A year of reviews, one square per day, weeks as columns (Monday on top), like Anki's heatmap add-on."""
    cell, gap, left, top = 11, 2, 24, 16
    first = days[0][0]
    offset = first.weekday()
    weeks = (len(days) + offset + 6) // 7
    width, height = left + weeks * (cell + gap), top + 7 * (cell + gap)
    peak = max((n for _, n in days), default=0)
    rects, months = [], []
    for index, (day, count) in enumerate(days):
        column, row = divmod(index + offset, 7)
        level = 0 if not count else min(4, 1 + int(3 * count / max(peak, 1)))
        rects.append(svg.element("rect", {"x": left + column * (cell + gap), "y": top + row * (cell + gap),
                                          "width": cell, "height": cell, "rx": 2, "class_": f"c-h{level}"},
                                 title=f"{day:%a %d %b %Y}: {count} review{'s' if count != 1 else ''}"))  # fmt: skip
        if day.day == 1:
            months.append(_text("c-axis", left + column * (cell + gap), 10, f"{day:%b}"))
    days_axis = [
        _text("c-axis", 0, top + r * (cell + gap) + 9, name) for r, name in ((0, "Mon"), (2, "Wed"), (4, "Fri"))
    ]
    return _svg(width, height, "Reviews per day over the past year", rects + months + days_axis)


def _bars(values: list[tuple[str, list[int], str]], *, label: str, empty: str, classes: list[str],
          height: int = 160, percent: bool = False) -> SafeString:  # fmt: skip
    """Vertical (optionally stacked) bars: (axis label, segment values, tooltip) per bar."""
    width, bottom, left = 480, 22, 30
    peak = max((sum(v) for _, v, _ in values), default=0)
    if not peak:
        return _empty(width, height, label, empty)
    top = 1.0 if percent else peak
    plot = height - bottom - 8
    step = (width - left) / len(values)
    parts = []
    for f in (0, 0.5, 1):
        y = 8 + plot * (1 - f)
        parts += [svg.element("line", {"class_": "c-grid", "x1": left, "x2": width, "y1": y, "y2": y}),
                  _text("c-axis", 0, 12 + plot * (1 - f), f"{round(100 * f * top)}%" if percent else round(f * top))]  # fmt: skip
    every = max(1, len(values) // 6)
    for index, (axis, segments, tip) in enumerate(values):
        x, y = left + index * step + step * 0.15, 8 + plot
        for value, css in zip(segments, classes, strict=True):
            h = plot * value / top
            if h:
                parts.append(svg.element("rect", {"x": x, "y": y - h, "width": step * 0.7, "height": h, "class_": css},
                                         title=tip))  # fmt: skip
            y -= h
        if index % every == 0:
            parts.append(_text("c-axis", x + step * 0.35, height - 6, axis, text_anchor="middle"))
    return _svg(width, height, label, parts)


def reviews_per_day(per_day: list[tuple[date, list[int]]]) -> SafeString:
    values = [(f"{d:%d %b}", counts, f"{d:%a %d %b}: " + ", ".join(f"{RATINGS[r]} {n}" for r, n in zip(RATINGS, counts, strict=True)))
              for d, counts in per_day]  # fmt: skip
    return _bars(values, label="Reviews per day for the last 30 days, by rating", classes=["c-r1", "c-r2", "c-r3", "c-r4"],
                 empty="No reviews in the last 30 days yet")  # fmt: skip


def retention(months: list[dict]) -> SafeString:
    values = [(m["month"][2:], [m["rate"] or 0],
               f"{m['month']}: {m['passed']} of {m['total']} passed" + (f" ({m['rate']:.0%})" if m["total"] else ""))
              for m in months]  # fmt: skip
    return _bars(values, label="True retention by month (answers to cards in review)", classes=["c-bar"],
                 empty="Retention shows once cards reach review", percent=True)  # fmt: skip


def forecast(days: list[tuple[date, int]]) -> SafeString:
    values = [("today" if i == 0 else f"{d:%d %b}", [n], f"{d:%a %d %b}: {n} due") for i, (d, n) in enumerate(days)]
    return _bars(values, label="Cards due in the next 30 days", classes=["c-bar"], empty="Nothing scheduled yet")


NAME_CHARS = 24  # bar labels: within 230 user units at 16.5 px (the phone size)


def hbars(rows: list[tuple[str, float, str]], *, label: str, empty: str, css: str = "c-bar") -> SafeString:
    """Horizontal bars with a share in [0, 1] each: (name, share, text shown at the end)."""
    if not rows:
        return _empty(480, 80, label, empty)
    name_w, row_h, width = 230, 26, 480
    height = row_h * len(rows) + 4
    parts = []
    for index, (name, share, text) in enumerate(rows):
        y = index * row_h + 4
        # A long name is shortened with an ellipsis and given whole in the tooltip, never cut mid-glyph by the bar.
        short = name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1].rstrip() + "…"
        track = width - name_w - 60
        parts.append(svg.element("g", {}, children=[
            svg.element("title", {}, text=f"{name}: {text}"),
            _text("c-name", 0, y + 13, short),
            svg.element("rect", {"class_": "c-track", "x": name_w, "y": y, "width": track, "height": 16, "rx": 4}),
            svg.element("rect", {"class_": css, "x": name_w, "y": y, "width": track * share, "height": 16, "rx": 4}),
            _text("c-axis", width - 54, y + 13, text),
        ]))  # fmt: skip
    return _svg(width, height, label, parts)


def card_states(counts: dict) -> SafeString:
    order = [("new", "New"), ("learning", "Learning"), ("relearning", "Relearning"), ("young", "Young"),
             ("mature", "Mature"), ("suspended", "Suspended")]  # fmt: skip
    total = sum(counts[key] for key, _ in order) or 1
    rows = [(name, counts[key] / total, str(counts[key])) for key, name in order]
    return hbars(rows, label="Cards by state", empty="No cards", css="c-bar")


def mastery(topics: list[dict]) -> SafeString:
    """Strongest topic first (then bank order), so the chart reads as a ranking."""
    ordered = sorted(topics, key=lambda t: (-t["share"], t["topic"].position, t["topic"].name))
    rows = [(t["topic"].name, t["share"], f"{t['share']:.0%}") for t in ordered]
    return hbars(rows, label="Mastery per topic: share of cards with stability over 21 days",
                 empty="No topics yet: load the question bank", css="c-bar c-good")  # fmt: skip


def retention_workload(rows: list[dict], *, suggested: float) -> SafeString:
    """Expected reviews a day at a few desired retentions (the engine's simulation), the suggested one marked."""
    top = max((row["reviews_per_day"] for row in rows), default=0) or 1
    bars = [
        (f"{row['retention']:.0%}", row["reviews_per_day"] / top,
         f"{row['reviews_per_day']:g}/day{' (suggested)' if abs(row['retention'] - suggested) < 0.025 else ''}")
        for row in rows
    ]  # fmt: skip
    return hbars(bars, label="Expected reviews per day by desired retention", empty="No simulation yet")


def recall_forecast(curve: list[tuple[date, float]], *, planned: float) -> SafeString:
    """Predicted mean recall of the interview cards on each day up to the date if nothing more were reviewed (a
    line), and the recall on the day with the planned reviews done (a dot on the last day)."""
    label = "Expected recall on each day up to the interview, without and with the planned reviews"
    width, height, left, bottom, top = 480, 170, 36, 24, 10
    if not curve:
        return _empty(width, height, label, "No cards seen yet")
    plot_w, plot_h = width - left - 10, height - bottom - top
    step = plot_w / max(len(curve) - 1, 1)

    def y(value: float) -> float:
        return top + plot_h * (1 - value)

    parts = []
    for share in (0, 0.5, 1):
        parts.append(svg.element("line", {"class_": "c-grid", "x1": left, "x2": width, "y1": y(share), "y2": y(share)}))
        parts.append(_text("c-axis", 0, y(share) + 4, f"{share:.0%}"))
    points = " ".join(f"{svg.number(left + i * step)},{svg.number(y(v))}" for i, (_, v) in enumerate(curve))
    parts.append(svg.element("polyline", {"class_": "c-line", "fill": "none", "points": points},
                             title=f"Without more reviews: {curve[-1][1]:.0%} on the day"))  # fmt: skip
    parts.append(svg.element("circle", {"class_": "c-dot", "cx": left + (len(curve) - 1) * step, "cy": y(planned), "r": 5},
                             title=f"With the planned reviews: {planned:.0%}"))  # fmt: skip
    every = max(1, len(curve) // 6)
    for i, (day, _) in enumerate(curve):
        if i % every == 0 or i == len(curve) - 1:
            parts.append(_text("c-axis", left + i * step, height - 6, "today" if i == 0 else f"{day:%d %b}",
                               text_anchor="middle"))  # fmt: skip
    return _svg(width, height, label, parts)
