"""A full disk under the document spool: the citizen sees a print failure (not an endless 'busy'), the
transaction is recorded once, and a retry after the disk has room prints with the same tracking number."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from kiosk.core.session import State
from kiosk.devices.factory import build_devices
from kiosk.devices.printer.pdf_folder import PdfFolderPrinter
from kiosk.devices.printer.receipt_pdf import A4ReceiptPrinter
from kiosk.devices.printer.spool import DocumentSpool, SpoolingPrinter
from tests.shell.conftest import shell_config
from tests.shell.drive import reach_confirm, tap, wait_state

SI_ITEM = "si-contribution-record"


@pytest.fixture()
def tiny_disk(tmp_path: Path):
    """A 64 KiB tmpfs: smaller than one certificate PDF (~70 KB)."""
    mount = tmp_path / "spool"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], capture_output=True)


def test_full_spool_disk_fails_the_print_and_keeps_one_transaction(qtbot, open_shell, district, tmp_path,
                                                                   tiny_disk):
    config = shell_config(tmp_path / "kiosk", district.url)
    printer = SpoolingPrinter(PdfFolderPrinter(tmp_path / "paper"), DocumentSpool(tiny_disk))
    devices = dataclasses.replace(build_devices(config), printer=printer, receipt_printer=A4ReceiptPrinter(printer))
    window = open_shell(config, devices=devices)
    terminal = window.terminal
    reach_confirm(qtbot, window, SI_ITEM)
    tap(qtbot, window, "confirm")
    qtbot.waitUntil(lambda: terminal.session.state is State.PRINTING and not terminal.session.busy
                    and terminal.session.message_key == "error.printer", timeout=30000)
    assert terminal.session.can_retry
    tracking = terminal.session.tracking_number
    assert tracking
    engine = create_engine(f"sqlite:///{tmp_path / 'kiosk' / 'kiosk.db'}")

    def transactions():
        with engine.connect() as c:
            return c.execute(text("select status from transactions")).all()

    assert transactions() == [("completed",)]
    left = sorted(p.name for p in tiny_disk.iterdir())
    assert not [n for n in left if n.endswith(".tmp")], "no half-written document may stay on the full disk"
    assert {n[:-4] for n in left if n.endswith(".pdf")} <= {n[:-5] for n in left if n.endswith(".json")}
    # The technician frees the disk (here: the small tmpfs goes, the folder beneath has room); the citizen retries.
    subprocess.run(["umount", str(tiny_disk)], check=True)
    tap(qtbot, window, "retry")
    wait_state(qtbot, window, State.DONE, timeout_ms=30000)
    assert terminal.session.tracking_number == tracking
    assert transactions() == [("completed",)], "the retry prints again; it does not record a second transaction"
    kinds = sorted(p.name.split("-")[2] for p in (tmp_path / "paper").glob("*.pdf"))
    assert kinds == ["certificate", "receipt"], "each document on paper once: the retry sends only what failed"
    engine.dispose()
