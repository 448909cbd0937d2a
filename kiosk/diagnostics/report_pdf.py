"""The readiness report as an A4 PDF (reportlab, the embedded CJK font every kiosk document uses)."""

from __future__ import annotations

import io

from kiosk.diagnostics.readiness import Readiness
from kiosk.diagnostics.runner import DEVICES

MM = 72.0 / 25.4
LEVELS = ("internal", "external", "interactive")


def render_readiness_pdf(readiness: Readiness) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    from kiosk.documents.drawing import wrap_text
    from kiosk.documents.fonts import register_cjk_font

    font = register_cjk_font()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, pageCompression=1, initialFontName=font, initialFontSize=9)
    c.setTitle(f"Readiness report {readiness.kiosk_id}")
    c.setCreator("kiosk diagnostics")
    width, height = A4
    left, right = 15 * MM, width - 15 * MM
    y = height - 20 * MM

    def line(text: str, size: float = 9, indent: float = 0, gap: float = 4.6) -> None:
        nonlocal y
        for part in wrap_text(c, text, font, size, right - left - indent):
            if y < 18 * MM:
                c.showPage()
                y = height - 20 * MM
            c.setFont(font, size)
            c.drawString(left + indent, y, part)
            y -= gap * MM * size / 9

    line("终端就绪报告 Readiness report", 16)
    y -= 2 * MM
    free = readiness.free_disk_bytes
    for label, value in (("Kiosk id 终端编号", readiness.kiosk_id), ("Generated 生成时间", readiness.generated_at),
                         ("Software version 软件版本", readiness.software_version),
                         ("Catalog version 事项目录版本", readiness.catalog),
                         ("Configuration SHA-256 配置哈希", readiness.config_sha256),
                         ("Free disk 剩余空间", "unknown" if free is None else f"{free / 1024 / 1024:.0f} MiB"),
                         ("Last sync 最近同步", readiness.last_sync or "never 从未"),
                         ("Sync backlog 待上传", "unknown" if readiness.sync_backlog is None
                          else str(readiness.sync_backlog))):
        line(f"{label}: {value}", 10)
    current = {run.status.device: run for run in readiness.current}
    for device in DEVICES:
        y -= 3 * MM
        run = current.get(device)
        if run is not None:
            s = run.status
            line(f"{device}: {s.health.value.upper()}  {s.status_id}  state {s.state.value}, power {s.power.value}",
                 11)
            line(s.text, 8.5, indent=5 * MM)
            if s.health.value != "pass":
                line(f"Fix: {s.fix_en}", 8.5, indent=5 * MM)
                line(f"处理: {s.fix_zh}", 8.5, indent=5 * MM)
        else:
            line(f"{device}: not checked now", 11)
        for level in LEVELS:
            record = readiness.last.get(device, {}).get(level)
            if record is None:
                line(f"last {level}: no test on record", 8.5, indent=5 * MM)
            else:
                line(f"last {level}: {record.health} {record.status_id}, {record.recorded_at} "
                     f"(software {record.software_version})", 8.5, indent=5 * MM)
    c.showPage()
    c.save()
    return buf.getvalue()
