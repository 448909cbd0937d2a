"""The issuing office's seal, drawn as vector graphics (a red ring, a star, the office name on an arc).

Drawn by the project rather than scanned: it names whatever office the kiosk is configured for, stays crisp at
any printer resolution, and costs a few hundred bytes in the PDF. It is a visual mark only; authenticity comes
from the signed QR payload.
"""

from __future__ import annotations

import math

from reportlab.lib.colors import Color

SEAL_RED = Color(0.82, 0.09, 0.09)


def draw_seal(canvas, cx: float, cy: float, radius: float, office: str, label: str, font: str) -> None:
    """Draw the seal centred at (cx, cy) with `office` along the upper arc and `label` under the star."""
    canvas.saveState()
    canvas.setFillColor(SEAL_RED)
    canvas.setStrokeColor(SEAL_RED)
    canvas.setFillAlpha(0.85)
    canvas.setStrokeAlpha(0.85)
    canvas.setLineWidth(radius * 0.07)
    canvas.circle(cx, cy, radius * 0.95, stroke=1, fill=0)
    _star(canvas, cx, cy + radius * 0.02, radius * 0.3)
    # Office name on the arc from about 200 deg to -20 deg, glyphs upright toward the centre.
    chars = list(office)
    size = min(radius * 0.23, radius * 4.2 / max(len(chars), 1))
    canvas.setFont(font, size)
    text_r = radius * 0.86 - size * 0.92  # glyph tops stay clear of the ring's inner edge
    span = min(250.0, 20.0 * len(chars) + 40) if len(chars) > 1 else 0.0
    start = 90 + span / 2
    step = span / (len(chars) - 1) if len(chars) > 1 else 0.0
    for i, ch in enumerate(chars):
        angle = math.radians(start - i * step)
        x, y = cx + text_r * math.cos(angle), cy + text_r * math.sin(angle)
        canvas.saveState()
        canvas.translate(x, y)
        canvas.rotate(math.degrees(angle) - 90)
        canvas.drawCentredString(0, 0, ch)
        canvas.restoreState()
    if label:
        lsize = min(radius * 0.2, radius * 1.3 / max(len(label), 1))
        canvas.setFont(font, lsize)
        canvas.drawCentredString(cx, cy - radius * 0.58, label)
    canvas.restoreState()


def _star(canvas, cx: float, cy: float, r: float) -> None:
    path = canvas.beginPath()
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.38
        a = math.radians(90 + k * 36)
        x, y = cx + rr * math.cos(a), cy + rr * math.sin(a)
        if k == 0:
            path.moveTo(x, y)
        else:
            path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)
