"""The A4 printer through CUPS (pycups): submit, follow the job to its end, and say honestly what went wrong.

`print_document()` refuses up front when the queue is paused, rejecting or its printer offline (no job left to
print unexpectedly later), then follows the job: completed -> PrintOutcome; aborted/cancelled -> PrintJobFailed
(with CUPS's message); the printer reporting media-empty/media-needed while the job waits -> PrinterOutOfPaper;
offline/connection trouble -> PrinterOffline (but `connecting-to-device` while a job runs is the backend connecting,
waited for: see `still_connecting`); no end within the timeout -> PrintJobFailed. On every failure the
job is cancelled so that it cannot come out minutes later when the citizen has left; the caller keeps the
document (see spool.SpoolingPrinter) for a retry or reprint. Every job, completed or not, is then purged from
CUPS (data file and history): the kiosk's own spool is the only copy, with its own retention.

Queues should use `printer-error-policy=abort-job` (set with `lpadmin -o`, see `configure_queue`) and network
printers a device URI with `?contimeout=N`: otherwise a dead socket printer leaves printer-state-reasons at
`none` and CUPS retries forever.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk.devices.printer import PrinterState, PrinterStatus, PrintOutcome
from kiosk.documents.printable import PrintableDocument
from kiosk.errors import PrinterError, PrinterOffline, PrinterOutOfPaper, PrintJobFailed

# IPP job-state values (RFC 8011 5.3.7)
JOB_PENDING, JOB_HELD, JOB_PROCESSING, JOB_STOPPED, JOB_CANCELED, JOB_ABORTED, JOB_COMPLETED = range(3, 10)
PRINTER_IDLE, PRINTER_PROCESSING, PRINTER_STOPPED = 3, 4, 5
PAPER_REASONS = ("media-empty", "media-needed", "media-jam", "input-tray-missing")
OFFLINE_REASONS = ("offline", "shutdown", "timed-out", "connecting-to-device", "other-error")
# A dead network printer leaves the reasons at `none` and only says so in printer-state-message.
OFFLINE_MESSAGES = ("not responding", "unable to connect", "connection refused", "network host",
                    "unable to locate printer", "no route to host")
PRINTER_ATTRS = ["printer-state", "printer-state-reasons", "printer-state-message", "printer-is-accepting-jobs"]
JOB_ATTRS = ["job-state", "job-state-reasons", "job-printer-state-message", "job-impressions-completed",
             "job-media-sheets-completed"]


def _base_reason(reason: str) -> str:
    for suffix in ("-error", "-warning", "-report"):
        if reason.endswith(suffix):
            return reason[: -len(suffix)]
    return reason


def printer_status_from(attrs: dict[str, Any]) -> PrinterStatus:
    """Map CUPS printer attributes to a PrinterStatus (pure: unit-testable without cupsd)."""
    state = int(attrs.get("printer-state", PRINTER_STOPPED))
    reasons = attrs.get("printer-state-reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    reasons = [r for r in reasons if r and r != "none"]
    message = str(attrs.get("printer-state-message") or "")
    detail = ", ".join(reasons) + (f" ({message})" if message else "")
    bases = {_base_reason(r) for r in reasons}
    if bases & set(PAPER_REASONS):
        return PrinterStatus(PrinterState.PAPER_OUT, detail)
    if "paused" in bases:
        return PrinterStatus(PrinterState.PAUSED, detail or "queue paused")
    if not attrs.get("printer-is-accepting-jobs", True):
        return PrinterStatus(PrinterState.OFFLINE, detail or "queue is rejecting jobs")
    if bases & set(OFFLINE_REASONS):
        return PrinterStatus(PrinterState.OFFLINE, detail)
    if any(m in message.lower() for m in OFFLINE_MESSAGES):
        return PrinterStatus(PrinterState.OFFLINE, detail.strip())
    if state == PRINTER_STOPPED:
        return PrinterStatus(PrinterState.ERROR, detail or "printer stopped")
    if any(r.endswith("-error") for r in reasons):
        return PrinterStatus(PrinterState.ERROR, detail)
    if state == PRINTER_PROCESSING:
        return PrinterStatus(PrinterState.PRINTING, detail)
    return PrinterStatus(PrinterState.READY, detail)


def still_connecting(attrs: dict[str, Any]) -> bool:
    """True when the printer is offline only in that CUPS's backend is connecting to it (`connecting-to-device`,
    set by the socket/IPP backends for the length of every connection attempt). During a job that is the backend
    at work within the device URI's contimeout: CUPS itself aborts the job if the printer never answers."""
    reasons = attrs.get("printer-state-reasons") or []
    if isinstance(reasons, str):
        reasons = [reasons]
    bases = {_base_reason(r) for r in reasons if r and r != "none"}
    message = str(attrs.get("printer-state-message") or "").lower()
    return ("connecting-to-device" in bases and not (bases - {"connecting-to-device"}) & set(OFFLINE_REASONS)
            and not any(m in message for m in OFFLINE_MESSAGES) and bool(attrs.get("printer-is-accepting-jobs", True)))


class CupsPrinter:
    """A CUPS queue as the kiosk's DocumentPrinter. A new IPP connection per call (pycups is not thread-safe)."""

    def __init__(self, queue: str, server: str = "", job_timeout_s: float = 120.0, poll_s: float = 0.2,
                 spool_dir: Path | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        self.queue = queue
        self._server = server
        self._timeout = job_timeout_s
        self._poll = poll_s
        self._spool_dir = spool_dir
        self._clock = clock

    @classmethod
    def from_config(cls, config: Any, data_dir: Path) -> Any:
        """The configured queue wrapped in a SpoolingPrinter over `<data_dir>/spool` (kiosk.config.PrinterConfig)."""
        from kiosk.devices.printer.spool import DocumentSpool, SpoolingPrinter

        spool = DocumentSpool(Path(data_dir) / "spool", ttl_s=config.spool_ttl_s,
                              reprint_window_s=config.reprint_window_s)
        return SpoolingPrinter(cls(config.cups_queue, server=config.cups_server, job_timeout_s=config.job_timeout_s,
                                   poll_s=config.cups_poll_s, spool_dir=spool.folder), spool)

    def _connect(self) -> Any:
        import cups

        try:
            return cups.Connection(host=self._server) if self._server else cups.Connection()
        except RuntimeError as exc:  # no cupsd answering
            raise PrinterOffline(f"CUPS not reachable: {exc}") from exc

    def status(self) -> PrinterStatus:
        """The queue's state; OFFLINE when cupsd or the queue does not answer."""
        attrs, problem = self._attributes()
        return printer_status_from(attrs) if attrs is not None else PrinterStatus(PrinterState.OFFLINE, problem)

    def _attributes(self) -> tuple[dict[str, Any] | None, str]:
        import cups

        try:
            return self._connect().getPrinterAttributes(self.queue, requested_attributes=PRINTER_ATTRS), ""
        except PrinterOffline as exc:
            return None, exc.detail
        except cups.IPPError as exc:
            return None, f"queue {self.queue}: {exc}"

    def print_document(self, document: PrintableDocument) -> PrintOutcome:
        """Submit `document` and wait for the job's end (see module docstring for the errors raised)."""
        import tempfile

        import cups

        self._refuse_unless_ready()
        conn = self._connect()
        with tempfile.NamedTemporaryFile(suffix=".pdf", dir=self._spool_dir, delete=True) as f:
            f.write(document.pdf)
            f.flush()
            title = f"{document.kind}-{document.serial}" if document.serial else document.kind
            try:
                job_id = conn.printFile(self.queue, f.name, title, {"document-format": "application/pdf"})
            except cups.IPPError as exc:
                status, message = exc.args if len(exc.args) == 2 else (0, str(exc))
                raise PrinterOffline(f"queue {self.queue} refused the job ({status}: {message})") from exc
        return self._follow(conn, job_id)

    def _refuse_unless_ready(self) -> None:
        """Refuse before submitting when the queue cannot print now. An OFFLINE known only from the last job's
        printer-state-message is not refused: the printer may be back, and only a new attempt tells (it fails
        within the device URI's contimeout if not)."""
        attrs, problem = self._attributes()
        if attrs is None:
            raise PrinterOffline(problem)
        status = printer_status_from(attrs)
        if status.state is PrinterState.PAPER_OUT:
            raise PrinterOutOfPaper(status.detail)
        if status.state is PrinterState.PAUSED:
            raise PrinterOffline(f"queue {self.queue} is paused: {status.detail}")
        if not attrs.get("printer-is-accepting-jobs", True):
            raise PrinterOffline(f"queue {self.queue} is rejecting jobs: {status.detail}")
        if status.state is PrinterState.ERROR:
            raise PrinterOffline(f"printer error: {status.detail}")

    def _follow(self, conn: Any, job_id: int) -> PrintOutcome:
        deadline = self._clock() + self._timeout
        connecting = False
        while True:
            job = conn.getJobAttributes(job_id, requested_attributes=JOB_ATTRS)
            state = int(job.get("job-state", 0))
            if state == JOB_COMPLETED:
                pages = int(job.get("job-impressions-completed") or job.get("job-media-sheets-completed") or 0)
                self._purge(conn, job_id)
                return PrintOutcome(job_id=str(job_id), pages=pages, location=f"{self.queue}-{job_id}")
            message = str(job.get("job-printer-state-message") or "")
            reasons = job.get("job-state-reasons") or []
            if state in (JOB_CANCELED, JOB_ABORTED):
                printer = printer_status_from(conn.getPrinterAttributes(self.queue,
                                                                        requested_attributes=PRINTER_ATTRS))
                why = message or printer.detail or (", ".join(reasons) if isinstance(reasons, list) else reasons)
                what = f"job {job_id} {'aborted' if state == JOB_ABORTED else 'cancelled'}: {why}"
                self._purge(conn, job_id)
                if printer.state is PrinterState.OFFLINE:
                    raise PrinterOffline(what)
                if printer.state is PrinterState.PAPER_OUT:
                    raise PrinterOutOfPaper(what)
                raise PrintJobFailed(what)
            if state in (JOB_STOPPED, JOB_HELD, JOB_PENDING, JOB_PROCESSING):
                attrs = conn.getPrinterAttributes(self.queue, requested_attributes=PRINTER_ATTRS)
                printer = printer_status_from(attrs)
                connecting = still_connecting(attrs)
                error: PrinterError | None = None
                if printer.state is PrinterState.PAPER_OUT:
                    error = PrinterOutOfPaper(printer.detail)
                elif printer.state in (PrinterState.OFFLINE, PrinterState.PAUSED, PrinterState.ERROR) and not connecting:
                    error = PrinterOffline(f"{printer.state.value}: {printer.detail}")
                elif state == JOB_STOPPED:
                    error = PrintJobFailed(f"job {job_id} stopped: {message}")
                if error is not None:
                    self._cancel(conn, job_id)
                    raise error
            if self._clock() > deadline:
                self._cancel(conn, job_id)
                if connecting:
                    raise PrinterOffline(f"job {job_id}: the printer did not answer within {self._timeout:.0f} s "
                                         "(connecting-to-device)")
                raise PrintJobFailed(f"job {job_id} did not finish within {self._timeout:.0f} s ({message})")
            time.sleep(self._poll)

    @staticmethod
    def _cancel(conn: Any, job_id: int) -> None:
        """Cancel the job and purge it (see _purge)."""
        CupsPrinter._purge(conn, job_id)

    @staticmethod
    def _purge(conn: Any, job_id: int) -> None:
        """Cancel-Job with purge-job: CUPS drops the job's data file (the document, personal data) and its
        history, which it would otherwise keep for PreserveJobFiles / PreserveJobHistory (a day by default)."""
        try:
            conn.cancelJob(job_id, purge_job=True)
        except Exception:  # noqa: BLE001 - the job may be gone already; the outcome we report matters more
            pass


def configure_queue(queue: str, device_uri: str, ppd: str | None = None, model: str | None = None,
                    env: dict[str, str] | None = None) -> None:
    """Create/modify a queue with the kiosk's policies: enabled, accepting, printer-error-policy=abort-job.

    pycups' addPrinterOptionDefault cannot set printer-error-policy, hence lpadmin. Raises PrinterError.
    """
    cmd = ["lpadmin", "-p", queue, "-E", "-v", device_uri, "-o", "printer-error-policy=abort-job"]
    if ppd:
        cmd += ["-P", ppd]
    elif model:
        cmd += ["-m", model]
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        raise PrinterError(f"lpadmin failed: {done.stderr.strip()}")
