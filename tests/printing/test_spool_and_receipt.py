"""The spool keeps documents until printed or expired; reprint; the A4 PDF receipt."""

from __future__ import annotations

import subprocess

import pytest

from kiosk.devices.printer import PrinterState, PrinterStatus, PrintOutcome
from kiosk.devices.printer.receipt_pdf import A4ReceiptPrinter, render_receipt_pdf
from kiosk.devices.printer.spool import DocumentSpool, SpoolingPrinter
from kiosk.documents.printable import PrintableDocument, Receipt
from kiosk.documents.verification import qr_texts_from_pdf
from kiosk.errors import PrinterOffline, PrintJobFailed


class FlakyPrinter:
    def __init__(self) -> None:
        self.fail = True
        self.printed: list[PrintableDocument] = []

    def status(self) -> PrinterStatus:
        return PrinterStatus(PrinterState.OFFLINE if self.fail else PrinterState.READY)

    def print_document(self, document: PrintableDocument) -> PrintOutcome:
        if self.fail:
            raise PrinterOffline("switched off")
        self.printed.append(document)
        return PrintOutcome(job_id=str(len(self.printed)))


def test_failed_document_stays_until_printed_then_reprint_and_expiry(tmp_path):
    now = [1000.0]
    spool = DocumentSpool(tmp_path / "spool", ttl_s=3600, reprint_window_s=600, clock=lambda: now[0])
    inner = FlakyPrinter()
    printer = SpoolingPrinter(inner, spool)
    doc = PrintableDocument("certificate", "证明", b"%PDF-1.4 test", "SI-1")
    with pytest.raises(PrinterOffline):
        printer.print_document(doc)
    (pending,) = spool.pending()
    assert pending.state == "failed" and "switched off" in pending.error
    assert (tmp_path / "spool" / f"{pending.id}.pdf").stat().st_mode & 0o777 == 0o600
    inner.fail = False
    printer.retry_pending()
    assert inner.printed == [doc] and spool.pending() == []
    printer.reprint_last()
    assert inner.printed == [doc, doc]
    now[0] += 601
    assert spool.purge() == 1 and spool.entries() == []
    with pytest.raises(PrintJobFailed, match="nothing to reprint"):
        printer.reprint_last()


def test_unprinted_document_expires_after_ttl(tmp_path):
    now = [0.0]
    spool = DocumentSpool(tmp_path, ttl_s=100, clock=lambda: now[0])
    spool.put(PrintableDocument("form", "f", b"%PDF"))
    now[0] = 99
    assert spool.purge() == 0
    now[0] = 101
    assert spool.purge() == 1 and list(tmp_path.iterdir()) == []


def test_receipt_pdf_has_text_and_tracking_qr(tmp_path):
    receipt = Receipt(title="受理回执 Claim receipt", lines=(("证件号 ID", "330***********1234"),),
                      tracking_number="SC01-000042", footer="请保留本回执")
    pdf = render_receipt_pdf(receipt, "上城区政务服务中心")
    assert len(pdf) < 60_000
    (tmp_path / "r.pdf").write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
    assert "SC01-000042" in text and "受理回执" in text and "330***********1234" in text
    assert qr_texts_from_pdf(pdf) == ["SC01-000042"]
    inner = FlakyPrinter()
    inner.fail = False
    A4ReceiptPrinter(inner).print_receipt(receipt)
    assert inner.printed[0].kind == "receipt" and inner.printed[0].serial == "SC01-000042"
