"""The technicians' printer screens and the citizens' consequences, on a private cupsd and an ESC/POS socket.

The CUPS states come from cupsd itself (cupsdisable, lp -H hold, a backend reporting `STATE: +media-empty-error`
as CUPS backends do, see backend(7)); the ESC/POS status bytes are the receipt tests' (Epson's DLE EOT reference).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from kiosk.core.session import State
from kiosk.devices.printer.cups import configure_queue
from kiosk.technician_pin import TechnicianPin
from kiosk.terminal.device_consequences import A4_PAPER_OUT, RECEIPT_PAPER_OUT
from kiosk.terminal.technician_mode import ModeState
from kiosk.ui.text import message, tr
from tests.diagnostics.test_receipt_health import COVER_OPEN, ONLINE_PAPER_OK, PAPER_END, EscPosPrinter
from tests.printing.cupsd import PrivateCupsd, SocketListener, free_port
from tests.shell.conftest import shell_config
from tests.shell.drive import find, tap, wait_state
from tests.technician.drive import PIN, enter, events, open_page, snap, visible

pytestmark = pytest.mark.cups

# Out of paper for as long as the test needs it (the suite's kiosk-paperout gives up after 60 s).
PAPEROUT_LONG = """#!/bin/sh
[ $# -eq 0 ] && exit 0
cat > /dev/null
echo "STATE: +media-empty-error" >&2
echo "ERROR: Out of paper" >&2
sleep 600
exit 1
"""
PRINTING_ITEM = "si-contribution-record"  # prints an A4 certificate
RECEIPT_ONLY_ITEM = "appointment-booking"  # books a slot: its only output is the receipt


def _catalog_item_with_module(module: str) -> str:
    import json

    from tests.conftest import REPO

    catalog = json.loads((REPO / "assets" / "catalog" / "catalog.json").read_text(encoding="utf-8"))
    return next(item["id"] for item in catalog["items"] if item["module"] == module and item.get("enabled", True))


def open_technician_shell(open_shell, tmp_path: Path, district, **sections):
    config = shell_config(tmp_path / "kiosk", district.url, **sections)
    config.data_dir.mkdir(parents=True)
    TechnicianPin(config.data_dir).set_pin(PIN)
    from contract.eventlog import EventLog

    return open_shell(config, log=EventLog(path=config.data_dir / "logs" / "kiosk.jsonl")), config


@pytest.fixture()
def socket_queue(cupsd: PrivateCupsd):
    listener = SocketListener()
    queue = f"tech-raw-{listener.port}"
    configure_queue(queue, f"socket://127.0.0.1:{listener.port}/?contimeout=3", env=cupsd.env)
    yield queue, listener
    subprocess.run(["cancel", "-a", "-x", queue], env=cupsd.env, capture_output=True)
    listener.close()
    cupsd.lp("lpadmin", "-x", queue)


@pytest.fixture()
def paper_out_queue(cupsd: PrivateCupsd, tmp_path: Path):
    backend = cupsd.root / "serverbin" / "backend" / "kiosk-paperout-long"
    backend.write_text(PAPEROUT_LONG)
    os.chmod(backend, 0o755)
    queue = f"tech-paperout-{free_port()}"
    configure_queue(queue, "kiosk-paperout-long:/tray1", env=cupsd.env)
    sample = tmp_path / "job.txt"
    sample.write_text("no paper for this\n")
    cupsd.lp("lp", "-d", queue, str(sample))
    yield queue
    subprocess.run(["cancel", "-a", "-x", queue], env=cupsd.env, capture_output=True)
    cupsd.lp("lpadmin", "-x", queue)


def cups_sections(cupsd: PrivateCupsd, queue: str) -> dict:
    return {"devices": {"printer": "cups"},
            "printer": {"cups_queue": queue, "cups_server": str(cupsd.socket_path), "job_timeout_s": 30.0}}


def queue_jobs(cupsd: PrivateCupsd, queue: str) -> str:
    return cupsd.lp("lpstat", "-o", queue).stdout


def test_printer_queue_screen_shows_a_paused_queue_and_its_jobs_and_cancels_resumes_purges(
        qtbot, open_shell, tmp_path: Path, district, cupsd: PrivateCupsd, socket_queue):
    queue, listener = socket_queue
    cupsd.lp("cupsdisable", queue)
    sample = tmp_path / "job.txt"
    sample.write_text("a test job\n")
    cupsd.lp("lp", "-d", queue, "-H", "hold", str(sample))
    cupsd.lp("lp", "-d", queue, str(sample))
    window, config = open_technician_shell(open_shell, tmp_path, district, **cups_sections(cupsd, queue))
    enter(qtbot, window)
    devices = window.technician.pages["devices"]
    printer = next(run for run in devices.runs if run.status.device == "printer")
    assert printer.status.status_id == "PRN-A4-PAUSED"
    assert devices.grid.itemAtPosition(4, 1).widget().objectName() == "fail"  # printer row, "now" column

    open_page(qtbot, window, "printer")
    page = window.technician.pages["printer"]
    qtbot.waitUntil(lambda: page.view is not None and len(page.view.jobs) == 2, timeout=10000)
    assert "paused" in page.view.reasons and page.view.state == "stopped"
    assert [job.state for job in page.view.jobs] == ["held", "pending"]
    assert "paused" in find(window, "printer-summary").text()
    snap(window, "printer")

    held, pending = page.view.jobs
    qtbot.waitUntil(lambda: visible(window, f"queue-cancel-{held.id}"), timeout=5000)
    tap(qtbot, window, f"queue-cancel-{held.id}")
    qtbot.waitUntil(lambda: [job.id for job in page.view.jobs] == [pending.id], timeout=10000)
    tap(qtbot, window, "queue-resume")  # paper loaded: the queue prints again
    (received,) = listener.wait_jobs(1, timeout=30)
    assert received == b"a test job\n"
    qtbot.waitUntil(lambda: page.view.state != "stopped" and not page.view.jobs, timeout=20000)

    cupsd.lp("lp", "-d", queue, "-H", "hold", str(sample))
    cupsd.lp("lp", "-d", queue, "-H", "hold", str(sample))
    qtbot.waitUntil(lambda: len(page.view.jobs) == 2, timeout=10000)
    tap(qtbot, window, "queue-purge")
    qtbot.waitUntil(lambda: not page.view.jobs, timeout=10000)
    assert queue_jobs(cupsd, queue).strip() == ""
    logged = (config.data_dir / "logs" / "kiosk.jsonl").read_text()
    assert logged.count('"technician-queue-action"') == 3

    tap(qtbot, window, "technician-leave")
    qtbot.waitUntil(lambda: window.terminal.technician.state is ModeState.OFF, timeout=60000)


def test_a4_out_of_paper_makes_printing_items_unavailable_and_blocks_the_return_to_service(
        qtbot, open_shell, tmp_path: Path, district, cupsd: PrivateCupsd, paper_out_queue):
    window, config = open_technician_shell(open_shell, tmp_path, district, **cups_sections(cupsd, paper_out_queue))
    terminal = window.terminal

    def paper_out_seen() -> bool:
        terminal.write_device_health()
        return terminal.menu().unavailable.get(PRINTING_ITEM) == A4_PAPER_OUT

    qtbot.waitUntil(paper_out_seen, timeout=30000)
    # citizens: the printing items say why they cannot be chosen now, in one sentence; the others still work
    tap(qtbot, window, "start")
    wait_state(qtbot, window, State.MENU)
    item = find(window, f"item-{PRINTING_ITEM}")
    assert not item.isEnabled() and message(A4_PAPER_OUT) in item.text()
    # with no receipt printer fitted, receipts print on the A4 printer: an item whose only output is a receipt
    # cannot be served either
    assert terminal.menu().unavailable.get(_catalog_item_with_module(RECEIPT_ONLY_ITEM)) == A4_PAPER_OUT
    snap(window, "citizen-menu-paper-out")
    tap(qtbot, window, "cancel")
    wait_state(qtbot, window, State.ATTRACT)
    health = (config.data_dir / "devices.json").read_text()
    assert '"unavailable_items"' in health and PRINTING_ITEM in health and A4_PAPER_OUT in health

    enter(qtbot, window)
    printer = next(run for run in window.technician.pages["devices"].runs if run.status.device == "printer")
    assert printer.status.status_id == "PRN-A4-MEDIA-EMPTY" and printer.status.media["paper"].value == "out"
    tap(qtbot, window, "technician-leave")
    sheet = window.technician.leave_sheet
    qtbot.waitUntil(lambda: window.technician.stack.currentWidget() is sheet, timeout=60000)
    assert "PRN-A4-MEDIA-EMPTY" in find(window, "leave-failing").text()
    assert window.terminal.technician.state is ModeState.ACTIVE  # not back in service
    snap(window, "leave-blocked")
    tap(qtbot, window, "leave-anyway")
    qtbot.waitUntil(lambda: window.terminal.technician.state is ModeState.OFF, timeout=10000)
    assert events(config.data_dir)[-1]["outcome"] == "left-with-faults"
    assert events(config.data_dir)[-1]["faults"] == ["PRN-A4-MEDIA-EMPTY"]
    assert terminal.out_of_service is None  # citizens see the items' sentence, not an out-of-service screen
    assert terminal.menu().unavailable.get(PRINTING_ITEM) == A4_PAPER_OUT


def test_receipt_printer_checks_with_the_technicians_confirmation(qtbot, open_shell, tmp_path: Path, district):
    printer = EscPosPrinter(PAPER_END)
    try:
        window, config = open_technician_shell(
            open_shell, tmp_path, district, devices={"receipt_printer": "escpos"},
            printer={"escpos_host": "127.0.0.1", "escpos_port": printer.port})
        terminal = window.terminal
        receipt_item = _catalog_item_with_module(RECEIPT_ONLY_ITEM)

        def receipt_paper_out_seen() -> bool:
            terminal.write_device_health()
            return terminal.menu().unavailable.get(receipt_item) == RECEIPT_PAPER_OUT

        # citizens: with the receipt printer out of paper only the items whose output is a receipt wait
        qtbot.waitUntil(receipt_paper_out_seen, timeout=20000)
        assert PRINTING_ITEM not in terminal.menu().unavailable

        enter(qtbot, window)
        open_page(qtbot, window, "checks")
        page = window.technician.pages["checks"]
        tap(qtbot, window, "check-device-receipt")
        results = []
        page.finished.connect(results.append)

        def check(testid: str, n: int) -> None:
            tap(qtbot, window, testid)
            qtbot.waitUntil(lambda: len(results) == n, timeout=30000)

        check("check-internal", 1)
        assert results[-1].status.status_id == "PRN-RCP-PAPER-END"
        assert "PRN-RCP-PAPER-END" in find(window, "check-result").text()
        printer.status = COVER_OPEN
        check("check-internal", 2)
        assert results[-1].status.status_id == "PRN-RCP-COVER-OPEN"
        assert not page.yes.isVisible()  # nothing to confirm after an internal check
        printer.status = ONLINE_PAPER_OK  # paper loaded, cover closed
        check("check-external", 3)
        assert results[-1].status.status_id == "PRN-RCP-TEST-PRINTED"
        assert b"kiosk-test-receipt|sc-test-01|" in bytes(printer.received)
        qtbot.waitUntil(page.yes.isVisible, timeout=5000)
        assert page.question.text() == tr("Receipt printed legibly and its QR code scans") + "?"
        snap(window, "checks")
        check("check-confirm-yes", 4)
        assert (results[-1].level.value, results[-1].status.status_id) == ("interactive", "TECH-CONFIRMED")
        latest = terminal.technician.latest()["receipt"]
        assert {level: r.status_id for level, r in latest.items()} == {
            "internal": "PRN-RCP-COVER-OPEN", "external": "PRN-RCP-TEST-PRINTED", "interactive": "TECH-CONFIRMED"}
        assert "printed legibly" in latest["interactive"].text

        tap(qtbot, window, "technician-leave")
        qtbot.waitUntil(lambda: terminal.technician.state is ModeState.OFF, timeout=60000)
        qtbot.waitUntil(lambda: (terminal.write_device_health() or True)
                        and receipt_item not in terminal.menu().unavailable, timeout=20000)
    finally:
        printer.close()
