"""The printers' test page: what a technician prints to see that text, Chinese glyphs and a QR code come out.

It carries the kiosk id, the time and the queue, so a page found in the tray later can be matched to its check.
"""

from __future__ import annotations

import datetime as dt
import io

from kiosk.documents.printable import PrintableDocument

MM = 72.0 / 25.4


def render_test_page(title: str, kiosk_id: str, when: dt.datetime, target: str) -> PrintableDocument:
    """An A4 test page (PDF) for `target` (queue or printer name)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from kiosk.documents.drawing import draw_qr
    from kiosk.documents.fonts import register_cjk_font

    font = register_cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=12)
    c.setTitle(title)
    c.setCreator("kiosk diagnostics")
    width, height = A4
    stamp = when.isoformat(timespec="seconds")
    y = height - 30 * MM
    c.setFont(font, 20)
    c.drawString(20 * MM, y, title)
    c.setFont(font, 12)
    for line in (f"终端 Kiosk: {kiosk_id}", f"打印机 Printer: {target}", f"时间 Time: {stamp}",
                 "如本页文字、汉字和二维码清晰，打印机正常。",
                 "If this text, the Chinese characters and the QR code are sharp, the printer works."):
        y -= 10 * MM
        c.drawString(20 * MM, y, line)
    draw_qr(c, f"kiosk-test-page|{kiosk_id}|{target}|{stamp}", 20 * MM, y - 55 * MM, 45 * MM)
    c.showPage()
    c.save()
    return PrintableDocument(kind="test-page", title=title, pdf=buf.getvalue(), serial="")
