"""Drawing helpers shared by the PDF documents: vector QR codes and line breaking for CJK and Latin text."""

from __future__ import annotations

import re
from collections.abc import Sequence


def draw_qr(c, text: str, x: float, y: float, size: float) -> None:
    """Vector QR (error correction M) with its quiet zone inside `size`."""
    import qrcode
    from reportlab.lib.colors import black

    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    qr.add_data(text)
    qr.make(fit=True)
    matrix = qr.get_matrix()
    n = len(matrix)
    cell = size / n
    c.setFillColor(black)
    path = c.beginPath()
    for r, line in enumerate(matrix):
        run = None
        for col, dark in enumerate([*line, False]):
            if dark and run is None:
                run = col
            elif not dark and run is not None:
                path.rect(x + run * cell, y + size - (r + 1) * cell, (col - run) * cell, cell)
                run = None
    c.drawPath(path, stroke=0, fill=1)


def wrap_text(c, text: str, font: str, size: float, width: float) -> Sequence[str]:
    """Break `text` into lines no wider than `width`: between CJK characters, or between Latin words."""
    tokens = re.findall(r"[A-Za-z0-9.,;:'()\-/]+ ?|.", text)
    lines, current = [], ""
    for token in tokens:
        if current and c.stringWidth(current + token.rstrip(), font, size) > width:
            lines.append(current.rstrip())
            current = token.lstrip()
        else:
            current += token
    if current.strip():
        lines.append(current.rstrip())
    return lines
