"""One markdown_inline filter for every page: it lives in bank_tags, and no other tag library redefines it."""

import pytest
from django.template import Context, Template
from django.template.backends.django import get_installed_libraries


def _render(source: str, text: str) -> str:
    return Template(source).render(Context({"text": text}))


def test_no_other_tag_library_defines_the_markdown_filters():
    from importlib import import_module

    owners = {
        name
        for name, module in get_installed_libraries().items()
        if {"markdown", "markdown_inline"} & set(import_module(module).register.filters)
    }
    assert owners == {"bank_tags"}


@pytest.mark.parametrize("order", ["bank_tags exam_tags", "exam_tags bank_tags"])
def test_loading_order_does_not_change_the_result(order):
    assert _render(f"{{% load {order} %}}{{{{ text|markdown_inline }}}}", "Why $\\sqrt{d_k}$?") == _render(
        "{% load bank_tags %}{{ text|markdown_inline }}", "Why $\\sqrt{d_k}$?"
    )


def test_one_line_loses_its_paragraph_and_longer_text_keeps_its_blocks():
    one_line = _render("{% load bank_tags %}{{ text|markdown_inline }}", "Why **scale** the scores?")
    assert one_line == "Why <strong>scale</strong> the scores?"
    two = _render("{% load bank_tags %}{{ text|markdown_inline }}", "First part.\n\nSecond part.")
    assert two.count("<p>") == 2


def test_user_markup_is_sanitized():
    html = _render(
        "{% load bank_tags %}{{ text|markdown_inline }}", "<script>alert(1)</script> [x](javascript:alert(1))"
    )
    assert "<script" not in html and 'href="javascript' not in html
