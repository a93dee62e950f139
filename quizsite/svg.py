"""SVG drawn on the server, for every chart of the site (demos/ml_charts.py, quiz/services/study_charts.py, the
interview score trend): no script, no plotting library, nothing from a CDN.

`element` writes one tag with its attributes, text and hover <title> escaped, so a chart never builds markup from
strings by hand and user text (a topic name, a prompt token) cannot break out of it. Numbers are written with one
decimal at most, which is finer than a pixel at every size the charts are drawn.
"""

from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def number(value: float) -> str:
    """1.0 -> "1", 12.34 -> "12.3": short coordinates, sub-pixel exact."""
    return f"{value:.1f}".removesuffix(".0")


def _value(value) -> str:
    return number(value) if isinstance(value, float) else str(value)


def element(tag: str, attrs: dict | None = None, *, text: str | None = None, title: str | None = None,
            children: Iterable[SafeString] = ()) -> SafeString:  # fmt: skip
    """<tag a="1" ...>text<title>title</title>children</tag>, or <tag .../> when empty. Attribute names use `_` for
    `-` (font_size -> font-size) and `class_` for `class`; None values are left out."""
    names = [(name.rstrip("_").replace("_", "-"), _value(value)) for name, value in (attrs or {}).items()
             if value is not None]  # fmt: skip
    attributes = format_html_join("", ' {}="{}"', names)
    inner = [format_html("{}", text)] if text is not None else []
    if title is not None:
        inner.append(format_html("<title>{}</title>", title))
    inner += list(children)
    if not inner:
        return format_html("<{}{}/>", tag, attributes)
    return format_html("<{}{}>{}</{}>", tag, attributes, join(inner), tag)


def join(parts: Iterable[SafeString]) -> SafeString:
    return mark_safe("".join(parts))  # noqa: S308 - each part is a SafeString built by element() or format_html


def document(width: int, height: int, /, *, label: str, parts: Iterable[SafeString], title: bool = False,
             **attrs) -> SafeString:  # fmt: skip
    """The <svg> element: role img, labelled for screen readers (`title`: also as a <title> child, which browsers
    show on hover); `attrs` as in `element` (class_, width, style, preserveAspectRatio...)."""
    return element(
        "svg",
        {"class_": attrs.pop("class_", None), "role": "img", "viewBox": f"0 0 {width} {height}", **attrs,
         "aria_label": label, "xmlns": "http://www.w3.org/2000/svg"},
        title=label if title else None,
        children=parts,
    )  # fmt: skip
