"""Printing through a private cupsd: cups-pdf and raw socket queues, paused/rejecting/dead/out-of-paper."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest

from kiosk.devices.printer import PrinterState
from kiosk.devices.printer.cups import CupsPrinter
from kiosk.documents.verification import verify_pdf
from kiosk.errors import PrinterOffline, PrinterOutOfPaper
from tests.printing.documents import HOLDER, signed_certificate

pytestmark = pytest.mark.cups


def _wait_for_output(folder: Path, title: str, timeout: float = 15.0) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(folder.glob(f"{title}*.pdf"))
        if found and found[0].stat().st_size > 0:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"cups-pdf wrote no {title}*.pdf into {folder}")


def test_certificate_through_cups_pdf_queue_still_verifies(pdf_queue, cups_pdf_out):
    document, key = signed_certificate()
    printer = CupsPrinter(pdf_queue, job_timeout_s=60)
    assert printer.status().state is PrinterState.READY
    outcome = printer.print_document(document)
    assert outcome.job_id and outcome.pages == 1
    out = _wait_for_output(cups_pdf_out, f"certificate-{document.serial}")
    try:
        printed = out.read_bytes()
        assert printed.startswith(b"%PDF")
        # cups-pdf re-renders through ghostscript (text becomes outlines); the QR must survive that and verify.
        checked = verify_pdf(printed, key.public_key())
        assert checked.result.valid, checked.result.reason
        assert checked.content == "not-embedded"  # a printout is checked by its signature alone
        assert checked.result.payload.serial == document.serial
    finally:
        out.unlink()


def test_raw_socket_printer_receives_the_exact_pdf(socket_printer, tmp_path):
    queue, listener = socket_printer
    document, key = signed_certificate()
    outcome = CupsPrinter(queue, job_timeout_s=30).print_document(document)
    assert outcome.job_id
    (received,) = listener.wait_jobs(1)
    assert received == document.pdf
    path = tmp_path / "received.pdf"
    path.write_bytes(received)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert HOLDER.full_name in text and "缴费年月" in text and document.serial in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "WenQuanYiMicroHei" in fonts and " yes yes yes " in fonts
    assert verify_pdf(received, key.public_key()).result.valid


def test_disabled_queue_is_reported_offline_and_refused(cupsd, socket_printer):
    queue, listener = socket_printer
    cupsd.lp("cupsdisable", queue)
    printer = CupsPrinter(queue, job_timeout_s=10)
    status = printer.status()
    assert status.state is PrinterState.PAUSED
    document, _ = signed_certificate()
    with pytest.raises(PrinterOffline) as err:
        printer.print_document(document)
    assert "paused" in str(err.value)
    assert listener.jobs == []
    jobs = subprocess.run(["lpstat", "-o", queue], env=cupsd.env, capture_output=True, text=True).stdout
    assert jobs.strip() == "", "a refused document must not wait in the queue to print later"


def test_rejecting_queue_is_offline(cupsd, socket_printer):
    queue, _ = socket_printer
    cupsd.lp("cupsreject", queue)
    printer = CupsPrinter(queue)
    assert printer.status().state is PrinterState.OFFLINE
    with pytest.raises(PrinterOffline):
        printer.print_document(signed_certificate()[0])


def test_dead_network_printer_fails_fast_and_says_offline(dead_printer):
    printer = CupsPrinter(dead_printer, job_timeout_s=60)
    started = time.monotonic()
    with pytest.raises(PrinterOffline) as err:
        printer.print_document(signed_certificate()[0])
    assert time.monotonic() - started < 30  # contimeout + abort-job: no endless retry
    assert "aborted" in str(err.value)
    assert printer.status().state is PrinterState.OFFLINE


def test_a_printer_still_connecting_is_waited_for_not_called_offline(waking_printer):
    """While CUPS's socket backend connects it reports `connecting-to-device`: that is the backend at work within
    the device URI's contimeout, not a dead printer (CUPS aborts the job itself when contimeout runs out)."""
    queue, wake, listeners, woken = waking_printer
    document, _ = signed_certificate()
    wake(2.0)  # the backend's first attempt is refused, its retry 5 s later connects
    outcome = CupsPrinter(queue, job_timeout_s=60).print_document(document)
    assert woken.is_set() and outcome.job_id
    (received,) = listeners[0].wait_jobs(1)
    assert received == document.pdf


def test_out_of_paper_is_detected_and_job_cancelled(cupsd, paperout_printer):
    printer = CupsPrinter(paperout_printer, job_timeout_s=30)
    with pytest.raises(PrinterOutOfPaper):
        printer.print_document(signed_certificate()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        jobs = subprocess.run(["lpstat", "-o", paperout_printer], env=cupsd.env, capture_output=True,
                              text=True).stdout
        if not jobs.strip():
            break
        time.sleep(0.2)
    assert not jobs.strip(), f"job still queued: {jobs}"


def test_missing_queue_is_offline(cupsd):
    printer = CupsPrinter("no-such-queue")
    assert printer.status().state is PrinterState.OFFLINE
    with pytest.raises(PrinterOffline):
        printer.print_document(signed_certificate()[0])


def test_failed_job_is_reported_and_queue_stays_usable(pdf_queue, cups_pdf_out):
    from kiosk.documents.printable import PrintableDocument
    from kiosk.errors import PrintJobFailed

    printer = CupsPrinter(pdf_queue, job_timeout_s=60)
    broken = PrintableDocument("certificate", "broken", b"%PDF-1.4\n% not really a PDF\n%%EOF\n", "BROKEN-1")
    with pytest.raises(PrintJobFailed) as err:
        printer.print_document(broken)
    assert "aborted" in str(err.value) or "stopped" in str(err.value)
    assert printer.status().state is PrinterState.READY  # abort-job: the queue is not stopped by one bad job
    for leftover in cups_pdf_out.glob("certificate-BROKEN-1*"):
        leftover.unlink()
