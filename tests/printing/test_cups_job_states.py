"""Following a job through the printer states CUPS reports while its backend works, scripted as CUPS sends them.

CUPS's socket and IPP backends write `STATE: +connecting-to-device` before every connection attempt and
`STATE: -connecting-to-device` once connected (cups/backend/socket.c, ipp.c), so for that moment the queue's
printer-state-reasons hold `connecting-to-device` while the job is processing. On a loaded machine or a printer
waking from sleep that moment is long enough to be seen (a CI run saw it on a loopback printer). The real-stack
tests are in test_cups.py; this one fixes the sequence that a real cupsd shows only by chance.
"""

from __future__ import annotations

from typing import Any

import pytest

from kiosk.devices.printer.cups import CupsPrinter, still_connecting
from kiosk.errors import PrinterOffline
from tests.printing.documents import signed_certificate

PROCESSING, COMPLETED = 5, 9


class ScriptedCups:
    """A pycups Connection whose queue goes through `printer_states` (one per poll) while job 7 processes."""

    def __init__(self, printer_states: list[dict[str, Any]], completes: bool) -> None:
        self.printer_states = printer_states
        self.completes = completes
        self.polls = 0
        self.cancelled: list[int] = []

    def printFile(self, queue, path, title, options) -> int:
        return 7

    def getPrinterAttributes(self, queue, requested_attributes=None) -> dict[str, Any]:
        if self.polls == 0:  # the check before submitting: an idle, ready queue
            return {"printer-state": 3, "printer-state-reasons": ["none"], "printer-is-accepting-jobs": True}
        return self.printer_states[min(self.polls - 1, len(self.printer_states) - 1)]

    def getJobAttributes(self, job_id, requested_attributes=None) -> dict[str, Any]:
        self.polls += 1
        done = self.completes and self.polls > len(self.printer_states)
        return {"job-state": COMPLETED if done else PROCESSING, "job-impressions-completed": 1 if done else 0}

    def cancelJob(self, job_id, purge_job=False) -> None:
        self.cancelled.append(job_id)

    def purgeJobs(self, *args, **kwargs) -> None:
        pass


def connecting(message: str = "") -> dict[str, Any]:
    return {"printer-state": 4, "printer-state-reasons": ["connecting-to-device"], "printer-state-message": message,
            "printer-is-accepting-jobs": True}


def printer(conn: ScriptedCups, timeout_s: float = 30.0) -> CupsPrinter:
    clock = iter(range(0, 10_000))
    p = CupsPrinter("kiosk-a4", job_timeout_s=timeout_s, poll_s=0.0, clock=lambda: float(next(clock)))
    p._connect = lambda: conn  # type: ignore[method-assign]
    return p


def test_a_job_whose_backend_is_still_connecting_is_followed_to_completion():
    conn = ScriptedCups([connecting(), connecting("Connecting to printer."), connecting()], completes=True)
    outcome = printer(conn).print_document(signed_certificate()[0])
    assert outcome.job_id == "7" and outcome.pages == 1  # completed, not cancelled as offline


def test_a_printer_that_never_answers_is_offline_at_the_deadline_not_a_failed_job():
    conn = ScriptedCups([connecting()], completes=False)
    with pytest.raises(PrinterOffline) as err:
        printer(conn, timeout_s=5).print_document(signed_certificate()[0])
    assert "connecting-to-device" in str(err.value) and conn.cancelled == [7]


@pytest.mark.parametrize("attrs", [
    {"printer-state-reasons": ["connecting-to-device", "offline-report"]},  # the printer itself says offline
    {"printer-state-reasons": ["connecting-to-device"], "printer-state-message": "The printer is not responding."},
    {"printer-state-reasons": ["connecting-to-device"], "printer-is-accepting-jobs": False},
])
def test_connecting_beside_a_real_offline_sign_is_offline(attrs):
    assert not still_connecting({"printer-state": 4, **attrs})
    conn = ScriptedCups([{"printer-state": 4, "printer-is-accepting-jobs": True, **attrs}], completes=True)
    with pytest.raises(PrinterOffline):
        printer(conn).print_document(signed_certificate()[0])
    assert conn.cancelled == [7]
