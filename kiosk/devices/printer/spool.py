"""Keeping documents until they are printed or expire: never silently lose a citizen's document.

`SpoolingPrinter` wraps any DocumentPrinter: each document is written to `<data>/spool` (fsynced, mode 0600)
before it is sent; printed documents stay only for the reprint window (the Done screen's "reprint"), unprinted
ones until `ttl_s` (then they are deleted: they hold personal data). `pending()` lists what still waits.

`purge()` runs when the printer is built (start-up), on a timer (kiosk.terminal.housekeeping) and before each
print; besides expired entries it removes orphans: a PDF whose record is gone, a record whose PDF is gone, and
temporary files (`.<name>.tmp` of an interrupted atomic write, `tmp*.pdf` of a CUPS submission) - once they are
older than a grace period, so that a document being written right now is never taken for an orphan.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from contract.atomic_write import write_atomic
from kiosk.devices.printer import DocumentPrinter, PrinterStatus, PrintOutcome
from kiosk.documents.printable import PrintableDocument
from kiosk.errors import PrinterError


@dataclass(frozen=True)
class SpoolEntry:
    id: str
    kind: str
    title: str
    serial: str
    created: float
    state: str  # pending | printed | failed
    printed_at: float = 0.0
    error: str = ""

    @property
    def pdf_path_name(self) -> str:
        return f"{self.id}.pdf"


class DocumentSpool:
    """Files `<id>.pdf` + `<id>.json` in one folder; writes are atomic."""

    def __init__(self, folder: Path, ttl_s: float = 86400.0, reprint_window_s: float = 900.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self._ttl = ttl_s
        self._reprint_window = reprint_window_s
        self._clock = clock
        self._lock = threading.Lock()  # put() writes the PDF before its record: purge() must not run in between

    def put(self, document: PrintableDocument) -> SpoolEntry:
        """Store `document` durably as pending."""
        entry = SpoolEntry(id=f"{int(self._clock() * 1000):015d}-{uuid.uuid4().hex[:8]}", kind=document.kind,
                           title=document.title, serial=document.serial, created=self._clock(), state="pending")
        with self._lock:
            self._write(self.folder / entry.pdf_path_name, document.pdf)
            try:
                self._save(entry)
            except OSError:
                (self.folder / entry.pdf_path_name).unlink(missing_ok=True)  # no PDF without its record
                raise
        return entry

    def mark(self, entry: SpoolEntry, state: str, error: str = "") -> SpoolEntry:
        """Record the outcome of a print attempt."""
        updated = SpoolEntry(**{**entry.__dict__, "state": state, "error": error,
                                "printed_at": self._clock() if state == "printed" else entry.printed_at})
        self._save(updated)
        return updated

    def document(self, entry: SpoolEntry) -> PrintableDocument:
        """The stored document of `entry`."""
        pdf = (self.folder / entry.pdf_path_name).read_bytes()
        return PrintableDocument(kind=entry.kind, title=entry.title, pdf=pdf, serial=entry.serial)

    def entries(self) -> list[SpoolEntry]:
        """Every entry, oldest first."""
        out = []
        for meta in sorted(self.folder.glob("*.json")):
            try:
                out.append(SpoolEntry(**json.loads(meta.read_text(encoding="utf-8"))))
            except (OSError, ValueError, TypeError):
                continue
        return out

    def pending(self) -> list[SpoolEntry]:
        """Entries not printed yet (pending or failed), oldest first."""
        return [e for e in self.entries() if e.state != "printed"]

    def last(self) -> SpoolEntry | None:
        """The newest entry, for reprint."""
        entries = self.entries()
        return entries[-1] if entries else None

    def purge(self, orphan_grace_s: float = 300.0) -> int:
        """Delete printed entries past the reprint window, unprinted ones past the TTL, and orphan or temporary
        files older than `orphan_grace_s` (file time); returns how many entries and orphan files went."""
        with self._lock:
            now, removed = self._clock(), 0
            for e in self.entries():
                expired = (e.state == "printed" and now - e.printed_at > self._reprint_window) or \
                          (e.state != "printed" and now - e.created > self._ttl)
                if expired:
                    for suffix in (".pdf", ".json"):
                        (self.folder / f"{e.id}{suffix}").unlink(missing_ok=True)
                    removed += 1
            return removed + self._remove_orphans(orphan_grace_s)

    def _remove_orphans(self, grace_s: float) -> int:
        removed = 0
        wall = time.time()  # file times are wall-clock times, whatever clock the entries use
        for path in self.folder.iterdir():
            name = path.name
            orphan = (name.endswith(".tmp") or (name.startswith("tmp") and name.endswith(".pdf"))
                      or (name.endswith(".pdf") and not path.with_suffix(".json").exists())
                      or (name.endswith(".json") and not path.with_suffix(".pdf").exists()))
            if not orphan or not path.is_file():
                continue
            try:
                if wall - path.stat().st_mtime < grace_s:
                    continue
                path.unlink()
                removed += 1
            except FileNotFoundError:
                continue
        return removed

    def _save(self, entry: SpoolEntry) -> None:
        self._write(self.folder / f"{entry.id}.json", json.dumps(entry.__dict__).encode())

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        write_atomic(path, data, mode=0o600)


class SpoolingPrinter:
    """A DocumentPrinter that spools every document first; adds `reprint_last()` and `retry_pending()`."""

    def __init__(self, inner: DocumentPrinter, spool: DocumentSpool) -> None:
        self._inner = inner
        self.spool = spool
        self.purge()  # at start-up: what a previous run left past its time goes now, not at the next print

    def purge(self) -> int:
        """Delete expired and orphan spool files (kiosk.terminal.housekeeping calls this on a timer)."""
        return self.spool.purge()

    def status(self) -> PrinterStatus:
        return self._inner.status()

    def print_document(self, document: PrintableDocument) -> PrintOutcome:
        """Spool, print, record the outcome; re-raises the printer's error (the document stays spooled)."""
        self.spool.purge()
        entry = self.spool.put(document)
        return self._print_entry(entry)

    def reprint_last(self) -> PrintOutcome:
        """Print the newest spooled document again; PrintJobFailed when there is none (expired or purged)."""
        from kiosk.errors import PrintJobFailed

        entry = self.spool.last()
        if entry is None:
            raise PrintJobFailed("nothing to reprint")
        return self._print_entry(entry)

    def retry_pending(self) -> list[PrintOutcome]:
        """Try every unprinted document again, oldest first; stops at the first failure (re-raised)."""
        return [self._print_entry(e) for e in self.spool.pending()]

    def _print_entry(self, entry: SpoolEntry) -> PrintOutcome:
        try:
            outcome = self._inner.print_document(self.spool.document(entry))
        except PrinterError as exc:
            self.spool.mark(entry, "failed", f"{type(exc).__name__}: {exc.detail}")
            raise
        self.spool.mark(entry, "printed")
        return outcome
