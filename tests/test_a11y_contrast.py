"""Colour contrast computed from site.css's custom properties with the WCAG 2 formula, in both colour schemes.

axe-core checks the text it finds on a page; this checks what it cannot: the focus ring (WCAG 2.4.13 / 1.4.11: 3:1
against what surrounds it) and every text colour against both surfaces, whatever page uses them.
"""

from pathlib import Path

import pytest
import tinycss2

CSS = Path(__file__).resolve().parents[1] / "static" / "css" / "site.css"
SURFACES = ("--bg", "--card")
TEXT_COLOURS = ("--fg", "--muted", "--accent", "--good", "--warn", "--bad", "--info")
FILLS = ("--good-fill", "--warn-fill", "--bad-fill", "--info-fill")  # behind white text (rating buttons)


def _custom_properties(rules) -> dict[str, str]:
    found = {}
    for rule in rules:
        if rule.type == "qualified-rule" and tinycss2.serialize(rule.prelude).strip() == ":root":
            for decl in tinycss2.parse_declaration_list(rule.content, skip_comments=True, skip_whitespace=True):
                if decl.type == "declaration" and decl.name.startswith("--"):
                    found[decl.name] = tinycss2.serialize(decl.value).strip()
    return found


def schemes() -> dict[str, dict[str, str]]:
    """The light values (top-level :root) and the dark ones (the prefers-color-scheme: dark :root over them)."""
    sheet = tinycss2.parse_stylesheet(CSS.read_text(), skip_comments=True, skip_whitespace=True)
    light = _custom_properties(sheet)
    dark = dict(light)
    for rule in sheet:
        if rule.type == "at-rule" and rule.lower_at_keyword == "media" and "dark" in tinycss2.serialize(rule.prelude):
            dark.update(_custom_properties(tinycss2.parse_rule_list(rule.content, skip_comments=True)))
    return {"light": light, "dark": dark}


def _hex(props: dict[str, str], name: str) -> str:
    value = props[name]
    while value.startswith("var("):
        value = props[value[4:-1].strip()]
    assert value.startswith("#") and len(value) in (4, 7), f"{name} is not a hex colour: {value}"
    return value if len(value) == 7 else "#" + "".join(c * 2 for c in value[1:])


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of #rrggbb."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_formula_matches_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic just-failing grey


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_focus_ring_is_at_least_3_to_1_against_both_backgrounds_of_both_schemes(scheme):
    props = schemes()[scheme]
    focus = _hex(props, "--focus-color")
    assert "var(--focus-color)" in props["--focus"]
    for name in SURFACES:
        ratio = contrast(focus, _hex(props, name))
        assert ratio >= 3, f"focus {focus} on {name} in {scheme}: {ratio:.2f}"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_reach_4_5_to_1_on_both_surfaces(scheme):
    props = schemes()[scheme]
    for text in TEXT_COLOURS:
        for surface in SURFACES:
            ratio = contrast(_hex(props, text), _hex(props, surface))
            assert ratio >= 4.5, f"{text} on {surface} in {scheme}: {ratio:.2f}"
    for fill in FILLS:
        assert contrast("#ffffff", _hex(props, fill)) >= 4.5, f"white on {fill} in {scheme}"
    assert contrast(_hex(props, "--accent-fg"), _hex(props, "--accent")) >= 4.5
