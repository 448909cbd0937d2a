"""Fixtures: one private cupsd per session with a cups-pdf queue, a raw socket queue and an out-of-paper queue."""

from __future__ import annotations

import os
import pwd
import threading
import time
from pathlib import Path

import pytest

from tests.printing.cupsd import PrivateCupsd, SocketListener, free_port

CUPS_PDF_PPD = "/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd"


@pytest.fixture(scope="session")
def pdf_queue(cupsd: PrivateCupsd) -> str:
    """A cups-pdf queue (its backend runs only as root: the suite runs as root in CI)."""
    if os.geteuid() != 0:
        pytest.fail("the cups-pdf backend only runs as root; run the printing tests as root (CI does)")
    from kiosk.devices.printer.cups import configure_queue

    configure_queue("kiosk-pdf", "cups-pdf:/", ppd=CUPS_PDF_PPD, env=cupsd.env)
    return "kiosk-pdf"


@pytest.fixture(scope="session")
def cups_pdf_out():
    """Where cups-pdf writes jobs of the current user (Debian's /etc/cups/cups-pdf.conf: Out ${HOME}/PDF).

    Whatever the session's jobs left there (e.g. a failed job's stub, written after the test ended) is removed.
    """
    folder = Path(pwd.getpwuid(os.geteuid()).pw_dir) / "PDF"
    before = set(folder.glob("*")) if folder.is_dir() else set()
    yield folder
    time.sleep(0.5)  # cups-pdf may still be writing the last job's file
    for leftover in set(folder.glob("*")) - before if folder.is_dir() else ():
        leftover.unlink(missing_ok=True)


@pytest.fixture()
def socket_printer(cupsd: PrivateCupsd):
    """A raw queue to a listener on 127.0.0.1 (socket://...:PORT/?contimeout=3): (queue, listener)."""
    from kiosk.devices.printer.cups import configure_queue

    listener = SocketListener()
    queue = f"kiosk-raw-{listener.port}"
    configure_queue(queue, f"socket://127.0.0.1:{listener.port}/?contimeout=3", env=cupsd.env)
    yield queue, listener
    listener.close()
    cupsd.lp("lpadmin", "-x", queue)


@pytest.fixture()
def dead_printer(cupsd: PrivateCupsd):
    """A raw queue to a port where nothing listens (a switched-off network printer)."""
    from kiosk.devices.printer.cups import configure_queue

    port = free_port()
    queue = f"kiosk-dead-{port}"
    configure_queue(queue, f"socket://127.0.0.1:{port}/?contimeout=2", env=cupsd.env)
    yield queue
    cupsd.lp("lpadmin", "-x", queue)


@pytest.fixture()
def waking_printer(cupsd: PrivateCupsd):
    """A network printer that starts answering a few seconds after the job is sent (waking from sleep): a raw
    queue with a generous contimeout to a port where a listener appears `wake(delay_s)` later."""
    from kiosk.devices.printer.cups import configure_queue

    port = free_port()
    queue = f"kiosk-waking-{port}"
    configure_queue(queue, f"socket://127.0.0.1:{port}/?contimeout=40", env=cupsd.env)
    listeners: list[SocketListener] = []
    woken = threading.Event()

    def wake(delay_s: float) -> None:
        def later() -> None:
            time.sleep(delay_s)
            listeners.append(SocketListener(port))
            woken.set()
        threading.Thread(target=later, daemon=True).start()

    yield queue, wake, listeners, woken
    for listener in listeners:
        listener.close()
    cupsd.lp("lpadmin", "-x", queue)


@pytest.fixture()
def paperout_printer(cupsd: PrivateCupsd):
    """A queue whose backend reports media-empty-error and waits for paper."""
    from kiosk.devices.printer.cups import configure_queue

    queue = f"kiosk-paperout-{free_port()}"
    configure_queue(queue, "kiosk-paperout:/tray1", env=cupsd.env)
    yield queue
    cupsd.lp("lpadmin", "-x", queue)
