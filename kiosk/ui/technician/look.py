"""The technicians' screens' few additions to the shell's theme: health colours and dense rows.

Colours are chosen for at least 4.5:1 against both the page background and white (WCAG 2.x contrast ratio),
and never carry the meaning alone: every health is also written out (pass / warn / fail).
"""

from __future__ import annotations

import textwrap

from PySide6.QtWidgets import QLabel

from kiosk.ui.theme import BG, BLUE_DARK, TEXT

PASS = "#1b6b2a"
WARN = "#7a4a00"
FAIL = "#a3221b"
HEALTH_COLOURS = {"pass": PASS, "warn": WARN, "fail": FAIL}
MUTED = "#4a4a4a"
BORDER = "#90a4ae"


def stylesheet(base_pt: int) -> str:
    small = max(12, int(base_pt * 0.72))
    return f"""
    QFrame#technician {{ background: {BG}; }}
    QFrame#technician QLabel#cell {{ font-size: {small}pt; color: {TEXT}; background: white; padding: 6px 8px;
                                     border-bottom: 1px solid {BORDER}; }}
    QFrame#technician QLabel#head {{ font-size: {small}pt; color: white; background: {BLUE_DARK}; padding: 6px 8px;
                                     font-weight: bold; }}
    QFrame#technician QLabel#pass {{ font-size: {small}pt; color: {PASS}; background: white; font-weight: bold;
                                     padding: 6px 8px; border-bottom: 1px solid {BORDER}; }}
    QFrame#technician QLabel#warn {{ font-size: {small}pt; color: {WARN}; background: white; font-weight: bold;
                                     padding: 6px 8px; border-bottom: 1px solid {BORDER}; }}
    QFrame#technician QLabel#fail {{ font-size: {small}pt; color: {FAIL}; background: white; font-weight: bold;
                                     padding: 6px 8px; border-bottom: 1px solid {BORDER}; }}
    QFrame#technician QLabel#fact {{ font-size: {int(base_pt * 0.85)}pt; color: {TEXT}; }}
    QFrame#technician QLabel#muted {{ font-size: {small}pt; color: {MUTED}; background: white; padding: 6px 8px;
                                      border-bottom: 1px solid {BORDER}; }}
    QFrame#technician QPlainTextEdit {{ font-size: {small}pt; color: {TEXT}; background: white;
                                        border: 2px solid {BORDER}; }}
    # 8 px top and bottom as every button: the theme's min-height counts on it for the 15 mm border box
    QFrame#technician QPushButton#nav {{ text-align: left; padding: 8px 16px; font-size: {int(base_pt * 0.85)}pt; }}
    QFrame#technician QPushButton#nav:checked {{ background: {BLUE_DARK}; color: white; }}
    QFrame#technician QFrame#header {{ background: {BLUE_DARK}; }}
    QFrame#technician QFrame#header QLabel {{ background: {BLUE_DARK}; color: white; font-weight: bold; }}
    """


def wrapped(text: str, width: int) -> str:
    """Lines of at most `width` characters: table cells break their own lines, so a row's height is known to the
    layout (Qt's word-wrapped labels in a grid report no height for their width and get clipped)."""
    return "\n".join(textwrap.fill(part, width, break_long_words=True) or part for part in text.split("\n"))


def health_label(health: str, text: str | None = None, width: int = 24) -> QLabel:
    """A table cell saying the health in words, in its colour."""
    lab = QLabel(wrapped(text if text is not None else health, width))
    lab.setObjectName(health if health in HEALTH_COLOURS else "cell")
    return lab


def cell(text: str, role: str = "cell", width: int = 40) -> QLabel:
    lab = QLabel(wrapped(text, width))
    lab.setObjectName(role)
    return lab
