"""A4 sheets that need no signature: service guides (办事指南), copies of submitted application forms, status
reports. Title, a table of fields, then headed sections of lines; footer with office, terminal and date."""

from __future__ import annotations

import io
from dataclasses import dataclass

from kiosk.documents.fonts import register_cjk_font

MM = 72.0 / 25.4


@dataclass(frozen=True)
class SheetSpec:
    title_zh: str
    title_en: str
    office_name: str
    kiosk_id: str
    issued_on: str  # YYYY-MM-DD
    fields: tuple[tuple[str, str], ...] = ()
    sections: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (heading, lines)
    reference: str = ""  # application number etc., printed top right


def render_sheet(spec: SheetSpec) -> bytes:
    """Render `spec` as A4 PDF pages (continued on a new page when long)."""
    from reportlab.lib.colors import Color, black
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from kiosk.documents.drawing import wrap_text

    font = register_cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=10)
    c.setTitle(spec.title_zh)
    c.setAuthor(spec.office_name)
    c.setCreator("kiosk")
    width, height = A4
    left, right = 20 * MM, width - 20 * MM
    grey = Color(0.35, 0.35, 0.35)

    def footer() -> None:
        c.setFont(font, 7.5)
        c.setFillColor(grey)
        c.drawString(left, 12 * MM, f"{spec.office_name} · 自助终端 {spec.kiosk_id} · {spec.issued_on}")
        c.drawRightString(right, 12 * MM, f"第 {c.getPageNumber()} 页")
        c.setFillColor(black)

    def ensure(y: float, need: float) -> float:
        if y - need > 20 * MM:
            return y
        footer()
        c.showPage()
        return height - 20 * MM

    y = height - 16 * MM
    c.setFont(font, 8)
    c.setFillColor(grey)
    c.drawString(left, y, spec.office_name)
    if spec.reference:
        c.drawRightString(right, y, f"编号 No. {spec.reference}")
    c.setStrokeColor(Color(0.1, 0.3, 0.6))
    c.setLineWidth(1)
    c.line(left, y - 2.5 * MM, right, y - 2.5 * MM)
    c.setFillColor(black)
    y -= 13 * MM
    c.setFont(font, 17)
    for line in wrap_text(c, spec.title_zh, font, 17, right - left):
        c.drawCentredString(width / 2, y, line)
        y -= 7.5 * MM
    c.setFont(font, 9.5)
    c.setFillColor(grey)
    c.drawCentredString(width / 2, y + 1.5 * MM, spec.title_en)
    c.setFillColor(black)
    y -= 8 * MM
    if spec.fields:
        c.setLineWidth(0.4)
        c.setStrokeColor(Color(0.6, 0.6, 0.6))
        for label, value in spec.fields:
            lines = wrap_text(c, value or "—", font, 10, right - left - 48 * MM)
            label_lines = wrap_text(c, label, font, 8.5, 42 * MM)
            h = max(7 * MM, (max(len(lines) * 4.6, len(label_lines) * 3.9) + 2.6) * MM)
            y = ensure(y, h)
            c.setFillColor(Color(0.94, 0.95, 0.97))
            c.rect(left, y - h, 45 * MM, h, stroke=1, fill=1)
            c.rect(left + 45 * MM, y - h, right - left - 45 * MM, h, stroke=1, fill=0)
            c.setFillColor(black)
            c.setFont(font, 8.5)
            ly = y - 4.8 * MM
            for line in label_lines:
                c.drawString(left + 2 * MM, ly, line)
                ly -= 3.9 * MM
            c.setFont(font, 10)
            ly = y - 4.8 * MM
            for line in lines:
                c.drawString(left + 47 * MM, ly, line)
                ly -= 4.6 * MM
            y -= h
        y -= 10 * MM
    for heading, lines in spec.sections:
        y = ensure(y, 14 * MM)
        c.setFont(font, 11.5)
        c.setFillColor(Color(0.1, 0.3, 0.6))
        c.drawString(left, y, heading)
        c.setFillColor(black)
        y -= 6 * MM
        c.setFont(font, 9.5)
        for text in lines:
            for n, line in enumerate(wrap_text(c, text, font, 9.5, right - left - 6 * MM)):
                y = ensure(y, 5 * MM)
                c.setFont(font, 9.5)
                c.drawString(left + (2 if n == 0 else 6) * MM, y, line)
                y -= 4.8 * MM
        y -= 4 * MM
    footer()
    c.showPage()
    c.save()
    return buf.getvalue()
