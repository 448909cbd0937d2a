"""The contrast formula against published values, and the elders' palette against WCAG 1.4.6 (7:1)."""

from __future__ import annotations

import pytest

from kiosk.config import EldersConfig
from kiosk.ui.elders.theme import text_pairs, weak_pairs
from kiosk.ui.legibility import contrast_ratio, mm, relative_luminance


@pytest.mark.parametrize(("fg", "bg", "expected"), [
    ("#000000", "#ffffff", 21.0),  # WCAG 2.x: contrast ratios range from 1:1 to 21:1
    ("#ffffff", "#ffffff", 1.0),
    ("#767676", "#ffffff", 4.54),  # the lightest grey on white that meets 1.4.3 AA (4.5:1)
    ("#595959", "#ffffff", 7.0),  # the lightest grey on white that meets 1.4.6 AAA (7:1)
    ("#777777", "#ffffff", 4.48),  # one step lighter fails AA
])
def test_contrast_ratio_matches_published_values(fg, bg, expected):
    assert contrast_ratio(fg, bg) == pytest.approx(expected, abs=0.01)
    assert contrast_ratio(bg, fg) == pytest.approx(expected, abs=0.01)  # order does not matter


def test_relative_luminance_endpoints_and_channel_weights():
    assert relative_luminance("#000000") == 0.0
    assert relative_luminance("#ffffff") == pytest.approx(1.0)
    # the definition's coefficients: pure primaries give R, G and B's weights
    assert relative_luminance("#ff0000") == pytest.approx(0.2126)
    assert relative_luminance("#00ff00") == pytest.approx(0.7152)
    assert relative_luminance("#0000ff") == pytest.approx(0.0722)


def test_elders_palette_is_aaa_and_a_weak_one_is_named():
    assert weak_pairs(EldersConfig()) == {}
    assert all(contrast_ratio(fg, bg) >= 7.0 for fg, bg in text_pairs(EldersConfig()).values())
    weak = weak_pairs(EldersConfig(accent="#0b5cad"))  # the normal mode's blue: 6.7:1 with white
    assert set(weak) == {"accent text", "on accent", "pressed"}


def test_millimetres_at_the_configured_dpi():
    assert mm(96, 96) == pytest.approx(25.4)
    assert mm(76, 96) >= 20.0 > mm(75, 96)
