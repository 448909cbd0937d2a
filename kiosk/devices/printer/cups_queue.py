"""The A4 queue as a technician handles it: its state and reasons, its unfinished jobs, and cancel / resume / purge.

Everything goes through CUPS's own IPP operations (Get-Printer-Attributes, Get-Jobs, Cancel-Job with purge-job,
Resume-Printer, CUPS-Accept-Jobs, Release-Job), the same ones `cupsenable`, `cupsaccept`, `lp -i -H resume` and
`cancel -x` send. Job names are not shown: a job's title is a citizen's document title and may name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.devices.printer.cups import JOB_ATTRS, PRINTER_ATTRS
from kiosk.errors import PrinterOffline

# IPP job-state values (RFC 8011 5.3.7) in words
JOB_STATES = {3: "pending", 4: "held", 5: "processing", 6: "stopped", 7: "canceled", 8: "aborted", 9: "completed"}
PRINTER_STATES = {3: "idle", 4: "processing", 5: "stopped"}
JOB_HELD = 4


@dataclass(frozen=True)
class QueueJob:
    id: int
    state: str
    reasons: tuple[str, ...]
    message: str = ""


@dataclass(frozen=True)
class QueueView:
    queue: str
    state: str  # idle | processing | stopped
    accepting: bool
    reasons: tuple[str, ...]
    message: str
    jobs: tuple[QueueJob, ...]


def _reasons(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    return tuple(r for r in (value or []) if r and r != "none")


class CupsQueue:
    """One CUPS queue (`server`: CUPS_SERVER-style host or socket; '' = the default)."""

    def __init__(self, queue: str, server: str = "") -> None:
        self.queue = queue
        self._server = server

    def _connect(self) -> Any:
        import cups

        try:
            return cups.Connection(host=self._server) if self._server else cups.Connection()
        except RuntimeError as exc:
            raise PrinterOffline(f"CUPS not reachable: {exc}") from exc

    def _call(self, operation: str, *args: Any, **kwargs: Any) -> Any:
        import cups

        conn = self._connect()
        try:
            return getattr(conn, operation)(*args, **kwargs)
        except cups.IPPError as exc:
            status, text = exc.args if len(exc.args) == 2 else (0, str(exc))
            raise PrinterOffline(f"queue {self.queue}: {operation} refused (IPP {status}: {text})") from exc

    def view(self) -> QueueView:
        """The queue's state and its jobs not yet completed, oldest first. PrinterOffline when CUPS or the queue
        does not answer."""
        attrs = self._call("getPrinterAttributes", self.queue, requested_attributes=PRINTER_ATTRS)
        jobs = self._call("getJobs", which_jobs="not-completed",
                          requested_attributes=["job-id", "job-printer-uri", *JOB_ATTRS])
        mine = []
        for job_id, job in sorted(jobs.items()):
            if not str(job.get("job-printer-uri", "")).endswith(f"/printers/{self.queue}"):
                continue
            mine.append(QueueJob(int(job_id), JOB_STATES.get(int(job.get("job-state", 0)), "unknown"),
                                 _reasons(job.get("job-state-reasons")),
                                 str(job.get("job-printer-state-message") or "")))
        return QueueView(self.queue, PRINTER_STATES.get(int(attrs.get("printer-state", 5)), "unknown"),
                         bool(attrs.get("printer-is-accepting-jobs", False)),
                         _reasons(attrs.get("printer-state-reasons")), str(attrs.get("printer-state-message") or ""),
                         tuple(mine))

    def cancel(self, job_id: int) -> None:
        """Cancel one job and purge its data file (a citizen's document) from the spool."""
        if job_id not in {job.id for job in self.view().jobs}:
            raise ValueError(f"job {job_id} is not an unfinished job of queue {self.queue}")
        self._call("cancelJob", job_id, purge_job=True)

    def resume(self) -> None:
        """Enable the queue, accept jobs again and release held jobs (after paper was loaded, a jam cleared)."""
        self._call("enablePrinter", self.queue)
        self._call("acceptJobs", self.queue)
        for job in self.view().jobs:
            if job.state == "held":
                self._call("setJobHoldUntil", job.id, "no-hold")

    def purge(self) -> int:
        """Cancel and purge every unfinished job of the queue; returns how many."""
        jobs = self.view().jobs
        for job in jobs:
            self._call("cancelJob", job.id, purge_job=True)
        return len(jobs)
