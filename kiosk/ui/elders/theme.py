"""The elders' mode's look: type 1.5x the normal size, 20 mm targets, a palette whose every text pair is >= 7:1.

Applied as the main window's own style sheet, over the application's: switching back to normal is clearing it.
"""

from __future__ import annotations

from kiosk.config import EldersConfig
from kiosk.ui.legibility import contrast_ratio
from kiosk.ui.theme import touch_px

DISABLED = "#595959"  # 7.0:1 on white: even a greyed-out caption stays readable
PRESSED = "#dde8f5"


def text_pairs(palette: EldersConfig) -> dict[str, tuple[str, str]]:
    """Every (text, background) pair the elders' style sheet draws."""
    return {
        "body": (palette.text, palette.background),
        "accent text": (palette.accent, palette.background),
        "on accent": ("#ffffff", palette.accent),
        "error": (palette.error, palette.background),
        "notice": (palette.notice, palette.background),
        "demo marker": ("#ffffff", palette.error),
        "disabled": (DISABLED, palette.background),
        "pressed": (palette.accent, PRESSED),
    }


def weak_pairs(palette: EldersConfig, minimum: float = 7.0) -> dict[str, float]:
    """The pairs of a (configured) palette below `minimum`: a kiosk refuses such a palette at start-up."""
    return {name: round(contrast_ratio(fg, bg), 2) for name, (fg, bg) in text_pairs(palette).items()
            if contrast_ratio(fg, bg) < minimum}


def base_pt(normal_pt: int, palette: EldersConfig) -> int:
    return int(round(normal_pt * palette.font_scale))


def stylesheet(normal_pt: int, dpi: float, palette: EldersConfig) -> str:
    pt = base_pt(normal_pt, palette)
    touch = touch_px(palette.min_touch_mm, dpi)
    # min-height sizes the content box: padding and border are taken off so the border box is `touch` exactly
    def content(padding: int, border: int) -> int:
        return touch - 2 * (padding + border)
    fg, bg, accent, error, notice = palette.text, palette.background, palette.accent, palette.error, palette.notice
    return f"""
    QWidget {{ background: {bg}; color: {fg}; font-size: {pt}pt; }}
    QLabel#title {{ font-size: {int(pt * 1.2)}pt; font-weight: bold; color: {fg}; }}
    QLabel#subtitle, QLabel#hint {{ font-size: {pt}pt; color: {fg}; }}
    QLabel#error {{ font-size: {pt}pt; color: {error}; background: {bg}; border: 5px solid {error};
                    border-radius: 12px; padding: 12px; font-weight: bold; }}
    QLabel#notice {{ font-size: {pt}pt; color: {notice}; background: {bg}; border: 5px solid {notice};
                     border-radius: 12px; padding: 12px; font-weight: bold; }}
    QLabel#big {{ font-size: {int(pt * 1.4)}pt; font-weight: bold; color: {accent}; }}
    QLabel#steps {{ font-size: {pt}pt; font-weight: bold; color: #ffffff; background: {accent}; padding: 4px 24px; }}
    QFrame#topbar, QFrame#bottombar, QFrame#accessbar {{ background: {accent}; }}
    QFrame#topbar QLabel, QFrame#bottombar QLabel, QFrame#accessbar QLabel {{ background: {accent}; color: #ffffff; }}
    QFrame#topbar QLabel#demo {{ background: {error}; color: #ffffff; font-weight: bold; padding: 4px 14px;
                                 border: 3px solid #ffffff; border-radius: 8px; }}
    QPushButton {{ min-height: {content(6, 5)}px; min-width: {content(6, 5)}px; padding: 6px 18px; border-radius: 14px;
                   background: {bg}; border: 5px solid {accent}; color: {accent}; font-weight: bold; }}
    QPushButton:pressed {{ background: {PRESSED}; }}
    QPushButton:disabled {{ color: {DISABLED}; border-color: {DISABLED}; }}
    QPushButton:checked, QPushButton#primary {{ background: {accent}; color: #ffffff; border-color: {fg}; }}
    QPushButton#danger {{ background: {bg}; color: {error}; border-color: {error}; }}
    QPushButton#bar {{ background: {accent}; color: #ffffff; border: 5px solid #ffffff; padding: 6px 8px;
                       min-height: {content(6, 5)}px; min-width: {content(6, 5)}px; }}
    QPushButton#bar:checked {{ background: #ffffff; color: {accent}; border: 5px solid #ffffff; }}
    QPushButton#elders {{ background: {bg}; color: {accent}; border: 5px solid {accent}; }}
    QPushButton#elders:checked {{ background: {bg}; color: {accent}; border: 5px dashed {accent}; }}
    QPushButton#key {{ min-height: {content(2, 5)}px; min-width: {content(2, 5)}px; padding: 2px; font-size: {pt}pt; }}
    QLineEdit {{ min-height: {content(4, 4)}px; border: 4px solid {fg}; border-radius: 10px; padding: 4px 12px;
                 background: {bg}; color: {fg}; font-size: {pt}pt; placeholder-text-color: {DISABLED}; }}
    QLineEdit[invalid="true"] {{ border-color: {error}; border-width: 6px; }}
    QProgressBar {{ min-height: 28px; border: 3px solid {accent}; border-radius: 10px; background: {bg}; }}
    QProgressBar::chunk {{ background: {accent}; border-radius: 8px; }}
    QFrame#overlay {{ background: rgba(0, 0, 0, 170); }}
    QFrame#dialog {{ background: {bg}; border: 6px solid {accent}; border-radius: 24px; }}
    QFrame#dialog QLabel {{ background: {bg}; }}
    """
