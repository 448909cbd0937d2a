"""Printing a session's documents and its receipt, with retry and reprint until the session ends."""

from __future__ import annotations

from dataclasses import dataclass, field

from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.core.session import Printed, PrintFailed
from kiosk.devices.printer import DocumentPrinter, ReceiptPrinter
from kiosk.documents.printable import PrintableDocument, Receipt
from kiosk.errors import KioskError


@dataclass
class PendingPrint:
    """Documents of the current session, kept for retry and reprint until the session ends (personal data)."""

    documents: list[PrintableDocument]
    receipt: Receipt
    tracking_number: str
    transaction_id: str
    queued: bool
    printed: list[bool] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.printed:
            self.printed = [False] * len(self.documents)


def print_pending(pending: PendingPrint, printer: DocumentPrinter, receipt_printer: ReceiptPrinter,
                  session_id: int, reprint: bool, log: EventLog) -> Printed | PrintFailed | None:
    """Print what is not printed yet (everything again on `reprint`), then the receipt.

    Returns the event for the session: `Printed`, `PrintFailed` (a printer fault, a full spool disk), or None for
    a reprint, which changes nothing in the session.
    """
    try:
        for n, document in enumerate(pending.documents):
            if pending.printed[n] and not reprint:
                continue
            log.log(Event.PRINT_INIT, session=session_id, kind=document.kind, serial=document.serial)
            outcome = printer.print_document(document)
            pending.printed[n] = True
            log.log(Event.PRINT_COMPLETE, session=session_id, kind=document.kind, outcome="completed",
                    job=outcome.job_id)
        if not reprint:
            receipt_printer.print_receipt(pending.receipt)
            log.log(Event.PRINT_COMPLETE, session=session_id, kind="receipt", outcome="completed")
    except KioskError as exc:
        log.log(Event.PRINT_COMPLETE, session=session_id, outcome="failed", error=type(exc).__name__,
                detail=exc.detail[:200])
        return None if reprint else PrintFailed(exc.message_key, session_id, pending.tracking_number,
                                                pending.transaction_id)
    except OSError as exc:  # a full or failing disk under the spool: the citizen is told, the session moves on
        log.log(Event.PRINT_COMPLETE, session=session_id, outcome="failed", error=type(exc).__name__,
                detail=str(exc)[:200])
        return None if reprint else PrintFailed("error.printer", session_id, pending.tracking_number,
                                                pending.transaction_id)
    if reprint:
        return None
    return Printed(pending.tracking_number, pending.transaction_id, len(pending.documents), pending.queued,
                   session_id)
