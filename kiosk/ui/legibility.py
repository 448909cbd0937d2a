"""Measuring what a citizen can read and touch: WCAG contrast, physical target size, clipped text.

The formulas are WCAG 2.2's ("relative luminance" and "contrast ratio" in its definitions): the legibility test
walks every rendered screen with `audit()` and the elders' palette is checked against them at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QLabel,
    QLineEdit,
    QPushButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)


def relative_luminance(colour: QColor | str) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (0 for black, 1 for white)."""
    c = QColor(colour)

    def linear(channel: int) -> float:
        v = channel / 255.0
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(c.red()) + 0.7152 * linear(c.green()) + 0.0722 * linear(c.blue())


def contrast_ratio(a: QColor | str, b: QColor | str) -> float:
    """(L1 + 0.05) / (L2 + 0.05), the lighter colour's luminance over the darker's: 1 to 21."""
    la, lb = relative_luminance(a), relative_luminance(b)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


def mm(pixels: float, dpi: float) -> float:
    """Physical length of `pixels` on a panel of `dpi`."""
    return pixels / dpi * 25.4


@dataclass(frozen=True)
class Finding:
    """One thing a citizen could not read or hit, with the widget that shows it."""

    kind: str  # contrast | target | clipped (text wider/taller than its widget) | cut off (by panel or parent)
    widget: str
    text: str
    value: float
    limit: float

    def __str__(self) -> str:
        return f"{self.kind}: {self.widget} {self.text!r}: {self.value:.2f} (limit {self.limit:g})"


def describe(w: QWidget) -> str:
    name = w.property("testid") or w.objectName() or ""
    return f"{type(w).__name__}[{name}]"


def shown_text(w: QWidget) -> str:
    if isinstance(w, (QLabel, QAbstractButton)):
        return w.text()
    if isinstance(w, QLineEdit):
        return w.text() or w.placeholderText()
    return ""


def rendered_colours(image: QImage, rect: QRect) -> tuple[QColor, QColor] | None:
    """(text colour, background colour) of the text drawn in `rect` of a rendered window.

    The background is the most frequent colour; the text colour is, among colours covering enough pixels to be
    a glyph's solid core (not the anti-aliased rim), the one contrasting most with the background. Measuring the
    pixels sees what a citizen sees, including style sheet states (:checked, :pressed) a palette does not carry.
    """
    rect = rect.intersected(image.rect())
    if rect.width() < 2 or rect.height() < 2:
        return None
    crop = image.copy(rect).convertToFormat(QImage.Format.Format_RGB32)
    pixels = np.frombuffer(crop.constBits(), dtype=np.uint32, count=crop.width() * crop.height() *
                           1).reshape(crop.height(), crop.bytesPerLine() // 4)[:, :crop.width()].ravel() & 0xFFFFFF
    colours, counts = np.unique(pixels, return_counts=True)
    background = QColor.fromRgb(int(colours[counts.argmax()]))
    enough = max(6, int(pixels.size * 0.002))
    candidates = [QColor.fromRgb(int(c)) for c, n in zip(colours, counts, strict=True) if n >= enough]
    if len(candidates) < 2:
        return None  # nothing drawn but the background (an empty or fully clipped label)
    text = max(candidates, key=lambda c: contrast_ratio(c, background))
    return text, background


def text_rect(w: QWidget, window: QWidget) -> QRect:
    """Where a widget draws its text, in window coordinates: inside borders and padding."""
    inner = w.contentsRect() if isinstance(w, QLabel) else w.rect().adjusted(8, 8, -8, -8)
    return QRect(w.mapTo(window, inner.topLeft()), inner.size())


def _is_touch_target(w: QWidget) -> bool:
    return isinstance(w, (QAbstractButton, QLineEdit))


def audit(root: QWidget, dpi: float, min_contrast: float, min_target_mm: float) -> list[Finding]:
    """Every visible text under `root` below `min_contrast`, every touch target smaller than `min_target_mm` on
    either side, and every text wider or taller than its widget (clipped or elided), and widgets outside the window.
    Disabled controls are exempt from contrast (WCAG 1.4.3 exempts inactive components)."""
    findings: list[Finding] = []
    window = root.window()
    image = window.grab().toImage()
    overlays = [o for o in window.findChildren(QWidget, "overlay") if o.isVisible()]
    for w in [root, *root.findChildren(QWidget)]:
        if not w.isVisibleTo(window) or not w.isVisible():
            continue
        if overlays and not any(o is w or o.isAncestorOf(w) for o in overlays):
            continue  # under an open dialog: dimmed and not touchable, the dialog is what is read
        text = shown_text(w)
        where = describe(w)
        if _is_touch_target(w):
            for side in (w.width(), w.height()):
                if mm(side, dpi) < min_target_mm - 0.05:
                    findings.append(Finding("target", where, text, mm(side, dpi), min_target_mm))
                    break
        if not _scrolls(w):  # inside a scrolling list a widget may lie beyond its view: it scrolls into it
            hidden = _cut_off(w, window)
            if hidden > 1:
                findings.append(Finding("cut off", where, text, hidden, 0))
        if not text.strip() or (isinstance(w, QPushButton) and w.layout() is not None):
            continue  # no text, or a WrapButton whose own label is audited
        if w.isEnabled():
            # only the pixels a citizen sees: a row half scrolled out of its list shows its visible half
            colours = rendered_colours(image, text_rect(w, window).intersected(_visible_box(w, window)))
            if colours is not None:
                ratio = contrast_ratio(*colours)
                if ratio < min_contrast - 0.005:
                    findings.append(Finding("contrast", where, f"{text} ({colours[0].name()} on "
                                                                f"{colours[1].name()})", ratio, min_contrast))
        over = _overflow(w, text)
        if over is not None:
            findings.append(Finding("clipped", where, text, over, 0))
    return findings


def _visible_box(w: QWidget, window: QWidget) -> QRect:
    """The part of the widget, in window coordinates, inside the panel and inside every parent (which clip it)."""
    visible = QRect(w.mapTo(window, w.rect().topLeft()), w.size())
    node = w.parentWidget()
    while node is not None:
        visible = visible.intersected(QRect(node.mapTo(window, node.rect().topLeft()), node.size())
                                      if node is not window else window.rect())
        node = node.parentWidget()
    return visible


def _cut_off(w: QWidget, window: QWidget) -> int:
    """How many pixels of the widget lie outside the panel or outside any of its parents (which clip it)."""
    visible = _visible_box(w, window)
    return max(w.width() - visible.width(), w.height() - visible.height())


def _scrolls(w: QWidget) -> bool:
    node = w.parentWidget()
    while node is not None:
        if isinstance(node, QAbstractScrollArea):
            return True
        node = node.parentWidget()
    return False


def _overflow(w: QWidget, text: str) -> float | None:
    """How many pixels the text needs beyond the widget's room, or None when it fits."""
    metrics = QFontMetrics(w.font())
    if isinstance(w, QLabel):
        if w.pixmap() is not None and not w.pixmap().isNull():
            return None
        room = w.contentsRect()
        if w.wordWrap():
            needed = metrics.boundingRect(0, 0, max(1, room.width()), 100000,
                                          w.alignment().value | Qt.TextFlag.TextWordWrap.value, text).height()
            return needed - room.height() if needed > room.height() + 1 else None
        lines = text.split("\n")
        width = max(metrics.horizontalAdvance(line) for line in lines)
        height = metrics.lineSpacing() * len(lines)
        if width > room.width() + 1:
            return width - room.width()
        if height > room.height() + metrics.leading() + 2:
            return height - room.height()
        return None
    if isinstance(w, QPushButton):
        if w.layout() is not None:  # a WrapButton: its own label inside is audited
            return None
        width = max(metrics.horizontalAdvance(line) for line in text.split("\n"))
        option = QStyleOptionButton()
        w.initStyleOption(option)
        # the style sheet style answers with the box inside border and padding, where the text is drawn
        room = w.style().subElementRect(QStyle.SubElement.SE_PushButtonContents, option, w).width()
        return width - room if width > room + 1 else None
    if isinstance(w, QLineEdit):
        width = metrics.horizontalAdvance(text)
        room = w.width() - 24
        return width - room if width > room + 1 else None
    return None

