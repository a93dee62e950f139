"""Markdown to safe HTML, with $...$ math rendered server-side to MathML (no script, no CDN)."""

import re
from functools import cache, lru_cache

import latex2mathml.converter
import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

_MATHML_TAGS = {
    "math", "semantics", "annotation", "mrow", "mi", "mo", "mn", "ms", "mtext", "mspace", "msup", "msub",
    "msubsup", "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd", "mstyle",
    "mpadded", "mphantom", "menclose", "merror",
}  # fmt: skip
_MATHML_ATTRIBUTES = {
    "display", "xmlns", "mathvariant", "stretchy", "fence", "separator", "accent", "accentunder", "lspace",
    "rspace", "linethickness", "columnalign", "rowspacing", "columnspacing", "displaystyle", "scriptlevel",
    "encoding", "width", "height", "depth", "notation", "movablelimits", "symmetric", "largeop", "form",
}  # fmt: skip
_ALLOWED_TAGS = nh3.ALLOWED_TAGS | _MATHML_TAGS
_ALLOWED_ATTRIBUTES = {**nh3.ALLOWED_ATTRIBUTES, **{tag: _MATHML_ATTRIBUTES for tag in _MATHML_TAGS}}


def _math(latex: str, display: bool) -> str:
    try:
        return latex2mathml.converter.convert(latex, display="block" if display else "inline")
    except Exception:  # malformed LaTeX is shown as code rather than breaking the page
        return f"<code>{nh3.clean_text(latex)}</code>"


_ONE_PARAGRAPH = re.compile(r"^\s*<p>(.*)</p>\s*$", re.DOTALL)


@cache
def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    md.use(dollarmath_plugin, allow_space=True, double_inline=True)
    md.add_render_rule("math_inline", lambda self, tokens, idx, options, env: _math(tokens[idx].content, False))
    md.add_render_rule("math_inline_double", lambda self, tokens, idx, options, env: _math(tokens[idx].content, True))
    md.add_render_rule("math_block", lambda self, tokens, idx, options, env: _math(tokens[idx].content, True))
    return md


@lru_cache(maxsize=1024)  # bank answers are rendered again and again (card pages, study, API)
def markdown_render(text: str) -> str:
    """HTML for user or bank markdown; whatever it contains, the result is sanitized."""
    html = _parser().render(text or "")
    return nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES, link_rel="noopener noreferrer")


def markdown_inline_render(text: str) -> str:
    """HTML for a line inside a heading, link or label: a single paragraph loses its <p> wrapper; anything longer
    (several paragraphs, a list, a math block) keeps its blocks rather than being flattened into one line."""
    html = markdown_render(text)
    match = _ONE_PARAGRAPH.match(html)
    if match and "<p>" not in match.group(1):
        html = match.group(1)
    return html
