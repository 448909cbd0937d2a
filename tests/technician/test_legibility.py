"""The technicians' screens keep the shell's legibility rules: text colours at least 4.5:1 against the backgrounds
they are drawn on (WCAG 2.x contrast ratio, computed from the formula's definition of relative luminance)."""

from __future__ import annotations

import pytest

from kiosk.ui import theme
from kiosk.ui.technician import look
from kiosk.ui.widgets import UNAVAILABLE_TEXT


def luminance(colour: str) -> float:
    """WCAG 2.x relative luminance of #rrggbb."""
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_formula_against_known_pairs():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)  # the usual smallest grey passing AA


@pytest.mark.parametrize(("text", "background"), [
    (look.PASS, "#ffffff"), (look.WARN, "#ffffff"), (look.FAIL, "#ffffff"), (look.MUTED, "#ffffff"),
    (look.PASS, theme.BG), (look.WARN, theme.BG), (look.FAIL, theme.BG), (theme.TEXT, "#ffffff"),
    ("#ffffff", theme.BLUE_DARK), (UNAVAILABLE_TEXT, "#ffffff"), (theme.ERROR, "#fdecea"),
])
def test_text_colours_reach_4_5_to_1(text: str, background: str):
    assert contrast(text, background) >= 4.5, f"{text} on {background}: {contrast(text, background):.2f}"
