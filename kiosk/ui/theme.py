"""Look of the shell: large type and big touch targets for elderly citizens, high contrast."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase

# Fonts with TrueType outlines that Debian ships; the first one found is embedded in the app's font database.
CJK_FONT_FILES = (
    Path(__file__).resolve().parent.parent.parent / "assets" / "fonts" / "wqy-zenhei.ttc",
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
)

BLUE = "#0b5cad"
BLUE_DARK = "#084a8c"
BG = "#f3f6fa"
TEXT = "#1a1a1a"
ERROR = "#b3261e"
OK = "#1e7d32"


def load_cjk_font() -> str:
    """Register the first available CJK font with Qt and return its family name ('' if none is installed).

    A fresh machine has no Chinese font: without this every label would be a row of boxes.
    """
    for path in CJK_FONT_FILES:
        if path.exists():
            font_id = QFontDatabase.addApplicationFont(str(path))
            families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
            if families:
                return families[0]
    return ""


def touch_px(mm: float, dpi: float) -> int:
    """Pixels for a physical length on the touchscreen."""
    return int(round(mm / 25.4 * dpi))


def app_font(family: str, point_size: int) -> QFont:
    font = QFont(family) if family else QFont()
    font.setPointSize(point_size)
    return font


def stylesheet(base_pt: int, min_touch: int) -> str:
    """The application's stylesheet, scaled from the configured base font size and touch target size.

    min-height/min-width size a button's content box: padding and border come on top, so they are taken off
    here and a button's touchable border box is exactly `min_touch` (no wasted 20 px a row on short panels).
    """
    button_min = min_touch - 2 * (8 + 3)
    key_min = min_touch - 2 * (4 + 3)
    return f"""
    QWidget {{ background: {BG}; color: {TEXT}; font-size: {base_pt}pt; }}
    QLabel#title {{ font-size: {int(base_pt * 1.7)}pt; font-weight: bold; color: {BLUE_DARK}; }}
    QLabel#subtitle {{ font-size: {int(base_pt * 1.15)}pt; color: #333; }}
    QLabel#hint {{ font-size: {int(base_pt * 0.85)}pt; color: #555; }}
    QLabel#error {{ font-size: {int(base_pt * 1.05)}pt; color: {ERROR}; background: #fdecea;
                    border: 2px solid {ERROR}; border-radius: 12px; padding: 14px; }}
    QLabel#notice {{ font-size: {int(base_pt * 1.05)}pt; color: {OK}; background: #e8f5e9;
                     border: 2px solid {OK}; border-radius: 12px; padding: 14px; }}
    QLabel#big {{ font-size: {int(base_pt * 2.4)}pt; font-weight: bold; color: {BLUE_DARK}; }}
    QFrame#topbar, QFrame#bottombar {{ background: {BLUE}; }}
    QFrame#topbar QLabel, QFrame#bottombar QLabel {{ background: {BLUE}; color: white; }}
    QFrame#topbar QLabel#demo {{ background: {ERROR}; color: white; font-weight: bold; padding: 4px 14px;
                                 border: 2px solid white; border-radius: 8px; }}
    QPushButton {{ min-height: {button_min}px; min-width: {button_min}px; padding: 8px 22px; border-radius: 14px;
                   background: white; border: 3px solid {BLUE}; color: {BLUE_DARK}; font-weight: bold; }}
    QPushButton:pressed {{ background: #dbe8f7; }}
    QPushButton:disabled {{ color: #999; border-color: #bbb; }}
    QPushButton#primary {{ background: {BLUE}; color: white; border-color: {BLUE_DARK}; }}
    QPushButton#primary:pressed {{ background: {BLUE_DARK}; }}
    QPushButton#danger {{ background: white; color: {ERROR}; border-color: {ERROR}; }}
    QPushButton#bar {{ background: {BLUE_DARK}; color: white; border: 3px solid white; }}
    QPushButton#item {{ text-align: left; padding: 12px 18px; font-weight: normal; }}
    QPushButton#category {{ text-align: left; padding: 10px 16px; }}
    QPushButton#category:checked {{ background: {BLUE}; color: white; }}
    QPushButton#key {{ min-height: {key_min}px; min-width: {key_min}px; padding: 4px; font-size: {int(base_pt * 1.1)}pt; }}
    QLineEdit {{ min-height: {min_touch - 2 * (4 + 3)}px; border: 3px solid #90a4ae; border-radius: 10px;
                 padding: 4px 12px; background: white; placeholder-text-color: #595959; font-size: {int(base_pt * 1.1)}pt; }}
    QLineEdit[invalid="true"] {{ border-color: {ERROR}; background: #fdecea; }}
    QLineEdit:focus {{ border-color: {BLUE}; }}
    QProgressBar {{ min-height: 24px; border: 2px solid {BLUE}; border-radius: 10px; background: white; }}
    QProgressBar::chunk {{ background: {BLUE}; border-radius: 8px; }}
    QScrollArea {{ border: none; }}
    QScrollBar:vertical {{ width: {max(28, min_touch // 2)}px; background: #e3e9f0; border-radius: 8px; }}
    QScrollBar::handle:vertical {{ background: {BLUE}; border-radius: 8px; min-height: {min_touch}px; }}
    QScrollBar::add-line:vertical, QScrollBar::sub-line:vertical {{ height: 0px; }}
    QFrame#overlay {{ background: rgba(0, 0, 0, 150); }}
    QFrame#dialog {{ background: white; border: 4px solid {BLUE}; border-radius: 24px; }}
    QFrame#dialog QLabel {{ background: white; }}
    """
