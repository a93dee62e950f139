"""Template helpers for quiz and interview pages."""

import re

from django import template
from django.utils.safestring import mark_safe

from quiz.services.markdown import markdown_render

register = template.Library()
_ONE_PARAGRAPH = re.compile(r"^\s*<p>(.*)</p>\s*$", re.DOTALL)


@register.filter
def markdown_inline(text: str) -> str:
    """Markdown for a line inside a heading or label: one paragraph loses its <p> wrapper."""
    html = markdown_render(text)
    match = _ONE_PARAGRAPH.match(html)
    if match and "<p>" not in match.group(1):
        html = match.group(1)
    return mark_safe(html)  # noqa: S308 - markdown_render sanitizes with nh3


@register.filter
def duration(seconds) -> str:
    """Seconds as m:ss (or h:mm:ss)."""
    seconds = max(int(seconds or 0), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@register.filter
def option_letter(index) -> str:
    """0 -> A, 1 -> B, ... (the letters the answered options are listed with)."""
    return "ABCDEFGH"[int(index)] if 0 <= int(index) < 8 else str(int(index) + 1)
