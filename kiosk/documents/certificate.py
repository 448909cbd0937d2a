"""A4 certificates (record certificates, the social-insurance contribution certificate) rendered with reportlab.

One layout serves every record certificate: header with serial, bilingual title, the holder's fields, a table,
totals, notes, and a footer with the issuing office, date, seal and the verification QR code. The content that
the QR's signature covers is `CertificateSpec.content()`: every printed fact (the district hashes it and keeps it
in its register). `CertificateSpec.from_content` rebuilds the spec from it, so a verifier can re-render the page
and compare every printed string; `printed_facts()` names each fact for the verifier's report. Nothing printed is
cut short: a value too wide for its place is drawn smaller, never truncated.
"""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass, field
from typing import Any

from kiosk.documents.drawing import draw_qr, wrap_text
from kiosk.documents.fonts import register_cjk_font
from kiosk.documents.seal import draw_seal

MM = 72.0 / 25.4
NAME_LABEL = "姓名 Name"


@dataclass(frozen=True)
class Column:
    label_zh: str
    label_en: str
    width_mm: float
    align: str = "left"  # left | right | center


@dataclass(frozen=True)
class CertificateSpec:
    kind: str  # e.g. social-insurance-record
    title_zh: str
    title_en: str
    serial: str
    issued_on: str  # YYYY-MM-DD
    office_name: str
    district_name: str
    kiosk_id: str
    holder_fields: tuple[tuple[str, str], ...]  # (bilingual label, value), values already masked where needed
    holder_name: str = ""  # printed first as "姓名 Name"; the district's register keeps it masked
    columns: tuple[Column, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    table_title: str = ""
    summary_fields: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    seal_label: str = "证明专用章"
    highlight_rows: frozenset[int] = field(default_factory=frozenset)  # row indexes drawn in red (arrears)

    def content(self) -> dict[str, Any]:
        """Everything printed except the QR: the signed content hash covers exactly this."""
        data = asdict(self)
        data["columns"] = [[c.label_zh, c.label_en, c.width_mm, c.align] for c in self.columns]
        data["rows"] = [list(r) for r in self.rows]
        data["holder_fields"] = [list(f) for f in self.holder_fields]
        data["summary_fields"] = [list(f) for f in self.summary_fields]
        data["notes"] = list(self.notes)
        data["highlight_rows"] = sorted(self.highlight_rows)
        return data

    @classmethod
    def from_content(cls, content: dict[str, Any]) -> CertificateSpec:
        """The spec whose `content()` is `content`; ValueError when it is malformed."""
        try:
            def pairs(key: str) -> tuple[tuple[str, str], ...]:
                return tuple((str(a), str(b)) for a, b in content.get(key, ()))

            spec = cls(
                kind=str(content["kind"]), title_zh=str(content["title_zh"]), title_en=str(content["title_en"]),
                serial=str(content["serial"]), issued_on=str(content["issued_on"]),
                office_name=str(content["office_name"]), district_name=str(content["district_name"]),
                kiosk_id=str(content["kiosk_id"]), holder_fields=pairs("holder_fields"),
                holder_name=str(content.get("holder_name", "")),
                columns=tuple(Column(str(zh), str(en), float(w), str(al)) for zh, en, w, al in content["columns"]),
                rows=tuple(tuple(str(v) for v in r) for r in content["rows"]),
                table_title=str(content["table_title"]), summary_fields=pairs("summary_fields"),
                notes=tuple(str(n) for n in content["notes"]), seal_label=str(content["seal_label"]),
                highlight_rows=frozenset(int(n) for n in content.get("highlight_rows", ())))
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"malformed certificate content: {exc!r}") from exc
        if spec.content() != content:
            raise ValueError("certificate content has fields this kiosk does not print")
        return spec

    def printed_holder_fields(self) -> tuple[tuple[str, str], ...]:
        """The holder lines as printed: the name first, then the other fields."""
        name = ((NAME_LABEL, self.holder_name),) if self.holder_name else ()
        return (*name, *self.holder_fields)

    def printed_facts(self) -> list[tuple[str, str]]:
        """(what it is, the text printed for it) for every fact on the page, for a verifier to look for."""
        facts = [("title", self.title_zh), ("English title", self.title_en), ("serial", self.serial),
                 ("terminal", f"{self.district_name}政务服务自助终端  Self-service terminal {self.kiosk_id}")]
        facts += [(f"holder field {label!r}", f"{label} {value}") for label, value in self.printed_holder_fields()]
        if self.columns:
            facts += [("table title", self.table_title)] if self.table_title else []
            facts += [(f"column {c.label_en!r}", f"{c.label_zh} {c.label_en}") for c in self.columns]
            facts += [(f"table row {n + 1} ({row[0] if row else ''})", " ".join(row))
                      for n, row in enumerate(self.rows)]
        facts += [(f"summary field {label!r}", f"{label}: {value}") for label, value in self.summary_fields]
        facts += [(f"note {n + 1}", note) for n, note in enumerate(self.notes)]
        facts += [("issuing office", f"出具机构：{self.office_name}"),
                  ("issue date", f"出具日期：{_cn_date(self.issued_on)}")]
        return facts


CONTENT_PREFIX = "kiosk-content-v1:"


def embedded_content_text(content: dict[str, Any]) -> str:
    """The PDF Keywords value carrying `content`: prefix + b64url(zlib(canonical JSON))."""
    import zlib

    from contract.document_signing import b64u, canonical_json

    return CONTENT_PREFIX + b64u(zlib.compress(canonical_json(content), 9))


def render_certificate(spec: CertificateSpec, qr_text: str = "") -> bytes:
    """Render `spec` as a one-page A4 PDF (CJK font embedded as a subset) with `qr_text` as QR code."""
    from reportlab.lib.colors import Color, black
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    font = register_cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, invariant=0, initialFontName=font, initialFontSize=10)
    c.setTitle(f"{spec.title_zh} {spec.serial}")
    c.setAuthor(spec.office_name)
    c.setSubject(spec.kind)
    c.setCreator("kiosk")
    # The signed content travels with the file so that `kiosk document verify` can check a digital copy's text
    # against the content hash in its QR code (a printout is checked by its signature alone).
    c.setKeywords(embedded_content_text(spec.content()))
    width, height = A4
    left, right = 18 * MM, width - 18 * MM
    grey = Color(0.35, 0.35, 0.35)

    # Header strip: terminal on the left, serial on the right, thin rule.
    y = height - 14 * MM
    c.setFont(font, 8)
    c.setFillColor(grey)
    c.drawString(left, y, f"{spec.district_name}政务服务自助终端  Self-service terminal {spec.kiosk_id}")
    c.drawRightString(right, y, f"编号 No. {spec.serial}")
    c.setStrokeColor(Color(0.75, 0.1, 0.1))
    c.setLineWidth(1.2)
    c.line(left, y - 2.5 * MM, right, y - 2.5 * MM)

    # Title.
    c.setFillColor(black)
    y -= 14 * MM
    c.setFont(font, 20)
    c.drawCentredString(width / 2, y, spec.title_zh)
    y -= 6.5 * MM
    c.setFont(font, 10)
    c.setFillColor(grey)
    c.drawCentredString(width / 2, y, spec.title_en)
    c.setFillColor(black)

    # Holder fields: two per line, a long value takes the whole line.
    y -= 10 * MM
    col_w = (right - left) / 2
    column = 0
    for label, value in spec.printed_holder_fields():
        wide = c.stringWidth(value, font, 10.5) > col_w - 31 * MM
        if wide and column == 1:
            y -= 6.2 * MM
            column = 0
        x = left + column * col_w
        c.setFont(font, 8)
        c.setFillColor(grey)
        c.drawString(x, y, label)
        c.setFillColor(black)
        c.setFont(font, _fitting_size(c, value, font, 10.5, (right - x if wide else col_w) - 31 * MM))
        c.drawString(x + 30 * MM, y, value)
        if wide or column == 1:
            y -= 6.2 * MM
            column = 0
        else:
            column = 1
    if column == 1:
        y -= 6.2 * MM

    if spec.columns:
        y = _draw_table(c, spec, font, left, right, y - 2 * MM)

    # Summary on one line under the table.
    y -= 5 * MM
    summary = "    ".join(f"{label}: {value}" for label, value in spec.summary_fields)
    c.setFont(font, _fitting_size(c, summary, font, 9.5, right - left))
    c.drawString(left, y, summary)

    # Footer band: QR on the left, verification hint and notes in the middle, office/date/seal on the right.
    qr_size = 30 * MM
    base = 13 * MM
    mid_x = left + (qr_size + 3 * MM if qr_text else 0)
    mid_w = right - 64 * MM - mid_x
    lines: list[str] = []
    if qr_text:
        lines += ["扫描二维码验证本证明真伪  Scan the QR code to verify", f"编号 No. {spec.serial}"]
        draw_qr(c, qr_text, left, base, qr_size)
    for note in spec.notes:
        lines += list(wrap_text(c, note, font, 6.8, mid_w))
    c.setFont(font, 6.8)
    c.setFillColor(grey)
    ly = base + qr_size - 2.5 * MM
    for line in lines:
        c.drawString(mid_x, ly, line)
        ly -= 3.3 * MM
    c.setFillColor(black)
    c.setFont(font, 10.5)
    tx = right - 62 * MM
    c.drawString(tx, base + 18 * MM, f"出具机构：{spec.office_name}")
    c.drawString(tx, base + 11 * MM, f"出具日期：{_cn_date(spec.issued_on)}")
    draw_seal(c, right - 22 * MM, base + 15 * MM, 19 * MM, spec.office_name, spec.seal_label, font)
    c.showPage()
    c.save()
    return buf.getvalue()


def _draw_table(c, spec: CertificateSpec, font: str, left: float, right: float, y: float) -> float:
    from reportlab.lib.colors import Color, black

    if spec.table_title:
        c.setFont(font, 10)
        c.drawString(left, y, spec.table_title)
        y -= 3 * MM
    total_mm = sum(col.width_mm for col in spec.columns)
    scale = (right - left) / (total_mm * MM)
    xs = [left]
    for col in spec.columns:
        xs.append(xs[-1] + col.width_mm * MM * scale)
    header_h, row_h = 8.5 * MM, 4.1 * MM
    c.setFillColor(Color(0.93, 0.90, 0.88))
    c.rect(left, y - header_h, right - left, header_h, stroke=0, fill=1)
    c.setFillColor(black)
    for n, col in enumerate(spec.columns):
        cx = (xs[n] + xs[n + 1]) / 2
        c.setFont(font, 8)
        c.drawCentredString(cx, y - 4 * MM, col.label_zh)
        c.setFont(font, 6)
        c.drawCentredString(cx, y - 7 * MM, col.label_en)
    y -= header_h
    stripe = Color(0.965, 0.965, 0.965)
    red = Color(0.75, 0.05, 0.05)
    for r, row in enumerate(spec.rows):
        if r % 2 == 1:
            c.setFillColor(stripe)
            c.rect(left, y - row_h, right - left, row_h, stroke=0, fill=1)
        c.setFillColor(red if r in spec.highlight_rows else black)
        c.setFont(font, 7.8)
        for n, (col, cell) in enumerate(zip(spec.columns, row, strict=False)):
            base_y = y - row_h + 1.2 * MM
            if col.align == "right":
                c.drawRightString(xs[n + 1] - 1.5 * MM, base_y, cell)
            elif col.align == "center":
                c.drawCentredString((xs[n] + xs[n + 1]) / 2, base_y, cell)
            else:
                c.drawString(xs[n] + 1.5 * MM, base_y, cell)
        y -= row_h
    c.setFillColor(black)
    c.setStrokeColor(Color(0.55, 0.55, 0.55))
    c.setLineWidth(0.5)
    top = y + row_h * len(spec.rows) + header_h
    c.rect(left, y, right - left, top - y, stroke=1, fill=0)
    c.setLineWidth(0.25)
    for x in xs[1:-1]:
        c.line(x, y, x, top)
    c.line(left, top - header_h, right, top - header_h)
    return y


def _fitting_size(c, text: str, font: str, size: float, width: float) -> float:
    """`size`, or the smaller size at which `text` fits `width`: a printed fact is never cut short."""
    needed = c.stringWidth(text, font, size)
    return size if needed <= width else size * width / needed


def _cn_date(iso: str) -> str:
    y, m, d = iso.split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"
