"""Template helpers for quiz and interview pages (markdown filters live in the bank's bank_tags)."""

from django import template

register = template.Library()


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


@register.filter
def option_at(options, index) -> str:
    """The text of option ``index`` of a question's options (empty when there is none)."""
    try:
        return options[int(index)]["text"]
    except (IndexError, KeyError, TypeError, ValueError):
        return ""
