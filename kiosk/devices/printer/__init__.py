"""Printers: the A4 document printer and the receipt printer.

`print_document()` blocks until the job completed or failed (follow the job; never assume it printed) and raises
`PrinterOffline`, `PrinterOutOfPaper` or `PrintJobFailed`. Receipts are structured (`Receipt`), because a thermal
printer lays them out natively (ESC/POS) while the A4 fallback renders a small PDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from kiosk.documents.printable import PrintableDocument, Receipt


class PrinterState(str, Enum):
    READY = "ready"
    PRINTING = "printing"
    OFFLINE = "offline"
    PAPER_OUT = "paper_out"
    PAUSED = "paused"
    ERROR = "error"


@dataclass(frozen=True)
class PrinterStatus:
    state: PrinterState
    detail: str = ""


@dataclass(frozen=True)
class PrintOutcome:
    job_id: str
    pages: int = 0
    location: str = ""  # where a pdf-folder printer wrote the file, or the CUPS job URI


class DocumentPrinter(Protocol):
    def status(self) -> PrinterStatus: ...

    def print_document(self, document: PrintableDocument) -> PrintOutcome:
        """Print and wait for the job's end; raise a PrinterError subclass when it did not print."""
        ...


class ReceiptPrinter(Protocol):
    def status(self) -> PrinterStatus: ...

    def print_receipt(self, receipt: Receipt) -> PrintOutcome: ...
