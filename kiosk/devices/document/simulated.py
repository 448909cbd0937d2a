"""A document reader that 'reads' a configured identity: for the demo and the UI tests.

Each read returns a fresh Identity (the session wipes the one it holds), after a configurable delay that the
cancel event interrupts. `fail_next()` makes the next read fail with a given CardError, so the UI's error paths
can be shown and tested without hardware.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.core.identity import AccessKey, Identity, PassiveAuth, identity_from_fields
from kiosk.devices.document import ReaderEvent, ReaderEventKind, ReaderState, ReaderStatus
from kiosk.errors import CardError, CardRemoved, MalformedCardData

READER_NAME = "Simulated Reader 0"


class SimulatedDocumentReader:
    def __init__(self, identity_file: Path, photo_file: Path, read_delay_s: float = 1.0) -> None:
        self._identity_file = identity_file
        self._photo_file = photo_file
        self._delay = read_delay_s
        self._on_event: Callable[[ReaderEvent], None] | None = None
        self._next_error: CardError | None = None
        self._lock = threading.Lock()

    @property
    def needs_access_key(self) -> bool:
        return False

    def start(self, on_event: Callable[[ReaderEvent], None]) -> None:
        self._on_event = on_event
        on_event(ReaderEvent(ReaderEventKind.READER_ADDED, READER_NAME))

    def stop(self) -> None:
        self._on_event = None

    def status(self) -> ReaderStatus:
        return ReaderStatus(ReaderState.CARD_PRESENT, (READER_NAME,))

    def fail_next(self, error: CardError) -> None:
        """Make the next read raise `error` (demo and tests)."""
        with self._lock:
            self._next_error = error

    def read(self, access_key: AccessKey | None, cancel: threading.Event) -> Identity:
        if cancel.wait(self._delay):
            raise CardRemoved("read cancelled")
        with self._lock:
            error, self._next_error = self._next_error, None
        if error is not None:
            raise error
        try:
            fields = json.loads(self._identity_file.read_text(encoding="utf-8"))
            identity = identity_from_fields(fields)
            identity.photo = self._photo_file.read_bytes()
        except (OSError, ValueError) as exc:
            raise MalformedCardData(f"simulated identity unreadable: {exc}") from exc
        identity.photo_format = "jpeg" if identity.photo[:2] == b"\xff\xd8" else "png"
        identity.passive_auth = PassiveAuth.NOT_CHECKED
        identity.passive_auth_detail = "simulated reader"
        return identity


class SimulatedMrzReader:
    """The MRZ OCR's twin for the demo and UI tests: finds `access_key` in the `after`-th frame it is shown."""

    def __init__(self, access_key: AccessKey, after: int = 1) -> None:
        self._key = access_key
        self._after = max(1, after)
        self._seen = 0

    def read_access_key(self, frame: object) -> AccessKey:
        from kiosk.errors import MrzUnreadable

        self._seen += 1
        if frame is None or self._seen < self._after:
            raise MrzUnreadable("simulated: no MRZ in this frame")
        return self._key
