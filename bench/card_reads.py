"""Timing chip reads on the real stack, shared by the document benches (bench_document, bench_pace,
bench_chipauth): a private pcscd with vpcd, a fresh emulated chip inserted for every read, the clock running from
the reader's card-present event to the Identity with its passive-authentication result."""

from __future__ import annotations

import atexit
import functools
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any


def median_read(pcscd, trust, make_chip: Callable[[], Any], password, check: Callable[[Any], None],
                runs: int = 10) -> tuple[float, Any]:
    """The median read time of `runs` insertions of `make_chip()` opened with `password`, and the last result.

    `check(result)` raises when a read is not the one benchmarked (a wrong verdict would time the wrong path)."""
    from kiosk.config import DocumentConfig
    from kiosk.devices.document import ReaderEventKind
    from kiosk.devices.document.pcsc import PcscDocumentReader
    from tests.document.emrtd_chip import VirtualCard

    reader = PcscDocumentReader(DocumentConfig(reader_name=pcscd.readers[0]), trust_store=trust)
    inserted = threading.Event()
    reader.start(lambda e: inserted.set() if e.kind == ReaderEventKind.CARD_INSERTED else None)
    times: list[float] = []
    result = None
    try:
        time.sleep(0.2)
        for _ in range(runs):
            inserted.clear()
            card = VirtualCard(make_chip(), pcscd.port)
            card.insert()
            if not inserted.wait(10):
                raise RuntimeError("card not detected")
            started = time.perf_counter()
            result = reader.read_document(password, threading.Event())
            times.append(time.perf_counter() - started)
            check(result)
            card.remove()
            time.sleep(0.6)  # let pcscd see the card gone before the next insertion
    finally:
        reader.stop()
    return statistics.median(times), result


@functools.cache
def shared_pcscd():
    """The one private pcscd of this bench process, started on first use and stopped at exit.

    One per process, not one per bench: libpcsclite connects to the socket it was pointed at first and keeps it, so
    a second daemon started by a later bench in the same `make bench` run would never see its cards.
    """
    from tests.document.pcscd import Pcscd

    daemon = Pcscd()
    daemon.use_socket()  # before the first PC/SC call of this process
    daemon.start()
    atexit.register(daemon.cleanup)
    return daemon
