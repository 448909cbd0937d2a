"""Work the terminal does on a timer, whether or not a citizen comes: deleting spooled documents whose time is up.

A printed document is kept only for the Done screen's reprint window; without a timer it would stay on disk until
the next citizen prints something, which at night can be many hours.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from contract.eventlog import EventLog
from contract.log_events import Event


class PeriodicPurge:
    """Calls `purge()` (returning how many items it removed) every `interval_s` on a daemon thread until
    `stop()`; an error is logged and the next round still runs."""

    def __init__(self, what: str, purge: Callable[[], int], interval_s: float, log: EventLog) -> None:
        self._what = what
        self._purge = purge
        self._interval = max(0.05, interval_s)
        self._log = log
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"purge-{what}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            try:
                removed = self._purge()
            except Exception as exc:  # noqa: BLE001 - a failing disk must not end the timer
                self._log.log(Event.UNEXPECTED_ERROR, where=f"purge-{self._what}",
                              error=f"{type(exc).__name__}: {exc}"[:300])
                continue
            if removed:
                self._log.log(Event.DOCUMENTS_PURGED, what=self._what, removed=removed)
