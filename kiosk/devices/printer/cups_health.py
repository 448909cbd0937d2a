"""The A4 printer's health through CUPS: IPP printer-state and printer-state-reasons, held jobs, a test page.

Reasons are RFC 8011 keywords (5.4.12) with an optional severity suffix: `-report` is information, `-warning`
needs attention soon, `-error` (or no suffix, which RFC 8011 says to read as an error) stops printing. CUPS adds
its own `paused`, and `offline-report` when a backend loses its printer. The external check prints a test page
and follows the job to completion (kiosk.devices.printer.cups), so "passed" means CUPS saw the job complete.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from kiosk.devices.health import DeviceStatus, Level, MediaState
from kiosk.devices.printer.cups import PRINTER_ATTRS, PRINTER_PROCESSING, PRINTER_STOPPED, CupsPrinter
from kiosk.devices.status_ids import device_status
from kiosk.errors import PrinterOffline, PrinterOutOfPaper, PrintJobFailed

DEVICE = "printer"
JOB_HELD = 4
IPP_NOT_FOUND = 0x0406  # client-error-not-found (RFC 8011 13.1.5.5)
OFFLINE = ("offline", "shutdown", "timed-out", "connecting-to-device")
# CUPS's own keywords that carry no suffix but are information, not errors (CUPS ipp backend, `lpstat -l -p`).
INFORMATIONAL = {"cups-waiting-for-job-completed"}
OFFLINE_MESSAGES = ("not responding", "unable to connect", "connection refused", "network host",
                    "unable to locate printer", "no route to host")


def split_reason(reason: str) -> tuple[str, str]:
    """('media-empty', 'error') from 'media-empty-error'; no suffix means error (RFC 8011 5.4.12)."""
    if reason in INFORMATIONAL:
        return reason, "report"
    for severity in ("report", "warning", "error"):
        if reason.endswith("-" + severity):
            return reason[: -len(severity) - 1], severity
    return reason, "error"


def status_from_ipp(queue: str, attrs: dict[str, Any], held_jobs: int = 0) -> DeviceStatus:
    """The A4 printer's DeviceStatus from the queue's IPP attributes (pure: testable without cupsd)."""
    raw = attrs.get("printer-state-reasons") or []
    reasons = [raw] if isinstance(raw, str) else list(raw)
    reasons = [r for r in reasons if r and r != "none"]
    parsed = [split_reason(r) for r in reasons]
    serious = {base for base, severity in parsed if severity != "report"}
    warnings = {base for base, severity in parsed if severity == "warning"}
    every = {base for base, _ in parsed}
    state = int(attrs.get("printer-state", PRINTER_STOPPED))
    message = str(attrs.get("printer-state-message") or "")
    said = f"queue {queue}: printer-state {state}, reasons {', '.join(reasons) or 'none'}" + (
        f", message {message!r}" if message else "")
    paper = MediaState.UNKNOWN  # CUPS knows the paper only when the printer reports it
    if "media-jam" in serious:
        paper = MediaState.JAMMED
    elif serious & {"media-empty", "media-needed"}:
        paper = MediaState.OUT
    elif "media-low" in every:
        paper = MediaState.LOW
    toner = MediaState.UNKNOWN
    if serious & {"toner-empty", "marker-supply-empty"} - warnings:
        toner = MediaState.OUT
    elif every & {"toner-low", "marker-supply-low", "toner-empty", "marker-supply-empty"}:
        toner = MediaState.LOW
    media = {"paper": paper, "toner": toner}
    facts = {"queue": queue, "printer_state": state, "reasons": reasons, "message": message,
             "accepting": bool(attrs.get("printer-is-accepting-jobs", True)), "held_jobs": held_jobs}

    def status(status_id: str) -> DeviceStatus:
        return device_status(DEVICE, status_id, said, media=media, facts=facts)

    if paper is MediaState.JAMMED:
        return status("PRN-A4-MEDIA-JAM")
    if paper is MediaState.OUT:
        return status("PRN-A4-MEDIA-EMPTY")
    if serious & {"door-open", "cover-open", "interlock-open"}:
        return status("PRN-A4-DOOR-OPEN")
    if toner is MediaState.OUT:
        return status("PRN-A4-TONER-EMPTY")
    if "paused" in every:
        return status("PRN-A4-PAUSED")
    if not facts["accepting"]:
        return status("PRN-A4-REJECTING")
    if every & set(OFFLINE) or any(m in message.lower() for m in OFFLINE_MESSAGES):
        return status("PRN-A4-OFFLINE")
    if state == PRINTER_STOPPED or serious - warnings - {"media-low", "toner-low", "marker-supply-low"}:
        return status("PRN-A4-ERROR")
    if paper is MediaState.LOW:
        return status("PRN-A4-MEDIA-LOW")
    if toner is MediaState.LOW:
        return status("PRN-A4-TONER-LOW")
    if held_jobs:
        return device_status(DEVICE, "PRN-A4-JOBS-HELD", f"{said}; {held_jobs} job(s) held", media=media,
                             facts=facts)
    if state == PRINTER_PROCESSING:
        return status("PRN-A4-PRINTING")
    return status("PRN-A4-OK")


class CupsPrinterHealth:
    """HealthCheck of the configured CUPS queue."""

    device = DEVICE

    def __init__(self, queue: str, server: str = "", job_timeout_s: float = 60.0, kiosk_id: str = "") -> None:
        self._queue = queue
        self._server = server
        self._timeout = job_timeout_s
        self._kiosk_id = kiosk_id

    def check(self, level: Level) -> DeviceStatus:
        internal = self._internal()
        if level is not Level.EXTERNAL or internal.health.value == "fail":
            return internal
        return self._test_page(internal)

    def _connect(self) -> Any:
        import cups

        return cups.Connection(host=self._server) if self._server else cups.Connection()

    def _internal(self) -> DeviceStatus:
        import cups

        try:
            conn = self._connect()
        except RuntimeError as exc:
            return device_status(DEVICE, "PRN-A4-CUPS-DOWN", f"CUPS not reachable for queue {self._queue}: {exc}",
                                 facts={"queue": self._queue})
        try:
            attrs = conn.getPrinterAttributes(self._queue, requested_attributes=PRINTER_ATTRS)
            jobs = conn.getJobs(which_jobs="not-completed", requested_attributes=["job-id", "job-state", "job-printer-uri"])
        except cups.IPPError as exc:
            status, text = exc.args if len(exc.args) == 2 else (0, str(exc))
            if status == IPP_NOT_FOUND:
                return device_status(DEVICE, "PRN-A4-QUEUE-MISSING",
                                     f"CUPS has no queue named {self._queue!r} ({text})", facts={"queue": self._queue})
            return device_status(DEVICE, "PRN-A4-ERROR", f"queue {self._queue}: IPP error {status}: {text}",
                                 facts={"queue": self._queue})
        except RuntimeError as exc:
            return device_status(DEVICE, "PRN-A4-CUPS-DOWN", f"CUPS stopped answering for queue {self._queue}: {exc}",
                                 facts={"queue": self._queue})
        held = sum(1 for job in jobs.values() if int(job.get("job-state", 0)) == JOB_HELD
                   and str(job.get("job-printer-uri", "")).endswith(f"/printers/{self._queue}"))
        return status_from_ipp(self._queue, attrs, held)

    def _test_page(self, internal: DeviceStatus) -> DeviceStatus:
        from kiosk.documents.test_page import render_test_page

        now = dt.datetime.now(dt.UTC)
        page = render_test_page("A4 test page / A4 测试页", self._kiosk_id, now, self._queue)
        printer = CupsPrinter(self._queue, server=self._server, job_timeout_s=self._timeout)
        facts = dict(internal.facts)
        try:
            outcome = printer.print_document(page)
        except PrinterOutOfPaper as exc:
            return device_status(DEVICE, "PRN-A4-MEDIA-EMPTY", f"test page on {self._queue}: {exc.detail}",
                                 media={"paper": MediaState.OUT}, facts=facts)
        except PrinterOffline as exc:
            return device_status(DEVICE, "PRN-A4-OFFLINE", f"test page on {self._queue}: {exc.detail}", facts=facts)
        except PrintJobFailed as exc:
            return device_status(DEVICE, "PRN-A4-TEST-FAILED", f"test page on {self._queue}: {exc.detail}",
                                 facts=facts)
        facts.update(job_id=outcome.job_id, pages=outcome.pages)
        if internal.health.value != "pass":  # printed, but the warning (toner low, held jobs) still stands
            return internal
        return device_status(DEVICE, "PRN-A4-TEST-PRINTED",
                             f"test page job {outcome.job_id} on {self._queue} completed", media=internal.media,
                             facts=facts)
