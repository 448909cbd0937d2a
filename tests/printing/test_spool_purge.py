"""Spooled documents go when their time is up, at start-up and on a timer (not only at the next print), and so do
orphan files; CUPS keeps no copy of a finished job."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path

import cups

from contract.eventlog import EventLog
from kiosk.devices.printer import PrinterState, PrinterStatus, PrintOutcome
from kiosk.devices.printer.cups import CupsPrinter
from kiosk.devices.printer.spool import DocumentSpool, SpoolingPrinter
from kiosk.documents.printable import PrintableDocument
from tests.printing.documents import signed_certificate

DOC = PrintableDocument("certificate", "证明", b"%PDF-1.4 personal data", "SI-1")


class PaperPrinter:
    def status(self) -> PrinterStatus:
        return PrinterStatus(PrinterState.READY)

    def print_document(self, document: PrintableDocument) -> PrintOutcome:
        return PrintOutcome(job_id="1")


def _age(path: Path, seconds: float) -> Path:
    t = time.time() - seconds
    os.utime(path, (t, t))
    return path


def test_start_up_removes_expired_entries_and_orphans_but_keeps_what_waits(tmp_path: Path) -> None:
    folder = tmp_path / "spool"
    now = [1000.0]
    earlier = DocumentSpool(folder, ttl_s=3600, reprint_window_s=300, clock=lambda: now[0])
    printed = earlier.mark(earlier.put(DOC), "printed")  # printed at 1000: its reprint window ends at 1300
    waiting = earlier.put(DOC)  # never printed: kept for the TTL
    # What a crash leaves behind, an hour ago: a PDF without its record, a record without its PDF, half an
    # atomic write, a CUPS submission's temporary copy.
    orphan_pdf = folder / "000000000000500-deadbeef.pdf"
    orphan_pdf.write_bytes(b"%PDF orphan")
    lost_pdf = folder / "000000000000600-cafecafe.json"
    lost_pdf.write_text(json.dumps({**printed.__dict__, "id": "000000000000600-cafecafe"}))
    half = folder / ".000000000000700-0badf00d.pdf.tmp"
    half.write_bytes(b"%PDF half")
    cups_copy = folder / "tmpk2j4x9.pdf"
    cups_copy.write_bytes(b"%PDF copy")
    for path in (orphan_pdf, lost_pdf, half, cups_copy):
        _age(path, 3600)
    being_written = folder / ".000000000000800-12345678.pdf.tmp"  # a write in progress right now: not an orphan
    being_written.write_bytes(b"%PDF")
    now[0] = 1400.0  # the kiosk restarts after the printed document's reprint window
    SpoolingPrinter(PaperPrinter(), DocumentSpool(folder, ttl_s=3600, reprint_window_s=300, clock=lambda: now[0]))
    left = sorted(p.name for p in folder.iterdir())
    assert left == sorted([f"{waiting.id}.pdf", f"{waiting.id}.json", being_written.name]), left


def test_terminal_purges_printed_documents_on_a_timer(tmp_path: Path) -> None:
    import dataclasses

    from kiosk.assembly import assemble
    from kiosk.config import load_config
    from kiosk.devices.factory import build_devices

    config = load_config(None, {"terminal": {"data_dir": str(tmp_path / "data"), "kiosk_id": "sc-purge"},
                                "printer": {"spool_purge_interval_s": 0.1, "reprint_window_s": 0.5},
                                "ui": {"voice": False}})
    spool = DocumentSpool(tmp_path / "spool", reprint_window_s=config.printer.reprint_window_s)
    printer = SpoolingPrinter(PaperPrinter(), spool)
    stream = io.StringIO()
    terminal = assemble(config, devices=dataclasses.replace(build_devices(config), printer=printer),
                        log=EventLog(stream=stream))
    terminal.start()
    try:
        printer.print_document(DOC)
        assert len(list(spool.folder.glob("*.pdf"))) == 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(spool.folder.iterdir()):
            time.sleep(0.05)
        assert list(spool.folder.iterdir()) == [], "the printed document outlived its reprint window"
    finally:
        terminal.close()
    events = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert any(e["event"] == "documents-purged" and e["removed"] == 1 for e in events)


def test_cups_keeps_no_copy_of_a_completed_job(cupsd, socket_printer, tmp_path: Path) -> None:
    queue, listener = socket_printer
    document, _key = signed_certificate()
    outcome = CupsPrinter(queue, job_timeout_s=30).print_document(document)
    (received,) = listener.wait_jobs(1)
    assert received == document.pdf
    job = int(outcome.job_id)
    conn = cups.Connection()
    assert job not in conn.getJobs(which_jobs="all"), "the job's history (title: the serial) is kept by CUPS"
    spool = cupsd.root / "spool"
    left = [p.name for p in spool.iterdir() if p.name.startswith((f"c{job:05d}", f"d{job:05d}"))]
    assert left == [], left
