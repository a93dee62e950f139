from django import template
from django.utils.safestring import mark_safe

from quiz.bank.services.markdown import markdown_inline_render, markdown_render

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    return mark_safe(markdown_render(text))  # noqa: S308 - markdown_render sanitizes with nh3


@register.filter
def markdown_inline(text: str) -> str:
    return mark_safe(markdown_inline_render(text))  # noqa: S308 - sanitized with nh3
