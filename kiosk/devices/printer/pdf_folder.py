"""A 'printer' that writes each document to a folder as a PDF: the demo's and the UI tests' A4 printer."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path

from contract.atomic_write import write_atomic
from kiosk.devices.printer import PrinterState, PrinterStatus, PrintOutcome
from kiosk.documents.printable import PrintableDocument
from kiosk.errors import PrinterOffline, PrinterOutOfPaper


class PdfFolderPrinter:
    def __init__(self, folder: Path, delay_s: float = 0.0) -> None:
        self._folder = folder
        self._delay = delay_s
        self._fault: str | None = None
        self._lock = threading.Lock()

    def set_fault(self, fault: str | None) -> None:
        """Simulate 'offline' or 'paper_out' (demo and tests); None clears it."""
        with self._lock:
            self._fault = fault

    def status(self) -> PrinterStatus:
        with self._lock:
            fault = self._fault
        if fault == "offline":
            return PrinterStatus(PrinterState.OFFLINE, "simulated: offline")
        if fault == "paper_out":
            return PrinterStatus(PrinterState.PAPER_OUT, "simulated: out of paper")
        return PrinterStatus(PrinterState.READY)

    def print_document(self, document: PrintableDocument) -> PrintOutcome:
        state = self.status().state
        if state is PrinterState.OFFLINE:
            raise PrinterOffline("simulated printer offline")
        if state is PrinterState.PAPER_OUT:
            raise PrinterOutOfPaper("simulated printer out of paper")
        time.sleep(self._delay)
        self._folder.mkdir(parents=True, exist_ok=True)
        job = uuid.uuid4().hex[:12]
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{document.kind}-{document.serial or job}.pdf"
        target = self._folder / name
        write_atomic(target, document.pdf, mode=0o600)
        return PrintOutcome(job_id=job, pages=max(1, document.pdf.count(b"/Type /Page") -
                                                  document.pdf.count(b"/Type /Pages")), location=str(target))
