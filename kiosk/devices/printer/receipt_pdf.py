"""Receipts on the A4 printer when no thermal printer is configured: a small one-page PDF.

The receipt is laid out as a 90 mm wide slip at the top of an A4 page (a cut line under it), so any A4 printer
prints it without custom paper sizes; the QR code carries the tracking number (or the receipt's own QR text).
"""

from __future__ import annotations

import io

from kiosk.devices.printer import DocumentPrinter, PrinterStatus, PrintOutcome
from kiosk.documents.printable import PrintableDocument, Receipt

MM = 72.0 / 25.4


def render_receipt_pdf(receipt: Receipt, header: str = "") -> bytes:
    """Render `receipt` (lines already masked) as a PDF slip on an A4 page."""
    from reportlab.lib.colors import Color, black
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from kiosk.documents.drawing import draw_qr, wrap_text
    from kiosk.documents.fonts import register_cjk_font

    font = register_cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=10)
    c.setTitle(receipt.title)
    c.setCreator("kiosk")
    width, height = A4
    left, slip_w = 20 * MM, 90 * MM
    right = left + slip_w
    y = height - 18 * MM
    grey = Color(0.35, 0.35, 0.35)
    if header:
        c.setFont(font, 8)
        c.setFillColor(grey)
        c.drawCentredString(left + slip_w / 2, y, header)
        y -= 6 * MM
    c.setFillColor(black)
    c.setFont(font, 12)
    for line in wrap_text(c, receipt.title, font, 12, slip_w):
        c.drawCentredString(left + slip_w / 2, y, line)
        y -= 6 * MM
    c.setLineWidth(0.6)
    c.line(left, y + 2 * MM, right, y + 2 * MM)
    y -= 2 * MM
    for label, value in receipt.lines:
        c.setFont(font, 8)
        c.setFillColor(grey)
        c.drawString(left, y, label)
        c.setFillColor(black)
        c.setFont(font, 9.5)
        for line in wrap_text(c, value, font, 9.5, slip_w - 32 * MM):
            c.drawString(left + 32 * MM, y, line)
            y -= 4.8 * MM
    if receipt.tracking_number:
        y -= 3 * MM
        c.setFont(font, 9)
        c.drawCentredString(left + slip_w / 2, y, "受理编号 Tracking number")
        y -= 7 * MM
        c.setFont(font, 16)
        c.drawCentredString(left + slip_w / 2, y, receipt.tracking_number)
        y -= 4 * MM
    qr = receipt.qr_text or receipt.tracking_number
    if qr:
        size = 28 * MM
        y -= size
        draw_qr(c, qr, left + (slip_w - size) / 2, y, size)
        y -= 4 * MM
    if receipt.footer:
        c.setFont(font, 7.5)
        c.setFillColor(grey)
        for line in wrap_text(c, receipt.footer, font, 7.5, slip_w):
            c.drawString(left, y, line)
            y -= 3.6 * MM
    c.setStrokeColor(grey)
    c.setDash(3, 3)
    c.line(10 * MM, y - 3 * MM, width - 10 * MM, y - 3 * MM)
    c.setFont(font, 6.5)
    c.drawString(10 * MM, y - 6.5 * MM, "沿此线裁下 Cut along this line")
    c.showPage()
    c.save()
    return buf.getvalue()


class A4ReceiptPrinter:
    """ReceiptPrinter that prints receipts as small PDFs on the A4 DocumentPrinter."""

    def __init__(self, printer: DocumentPrinter, header: str = "") -> None:
        self._printer = printer
        self._header = header

    def status(self) -> PrinterStatus:
        return self._printer.status()

    def print_receipt(self, receipt: Receipt) -> PrintOutcome:
        """Render and print `receipt`; raises the A4 printer's PrinterError subclasses."""
        pdf = render_receipt_pdf(receipt, self._header)
        return self._printer.print_document(PrintableDocument(kind="receipt", title=receipt.title, pdf=pdf,
                                                              serial=receipt.tracking_number))
