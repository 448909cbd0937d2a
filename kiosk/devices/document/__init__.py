"""Identity-document readers: the interface and its values.

A reader reports its state changes as `ReaderEvent`s (reader added/removed, card inserted/removed) through the
callback given to `start()`, on its own thread; `read()` blocks (call it off the GUI thread) and either returns an
`Identity` or raises a `CardError` subclass (`NoReader`, `NoCard`, `CardRemoved`, `WrongAccessKey`,
`MalformedCardData`). Readers that need an access key (ICAO BAC needs the MRZ) say so with `needs_access_key`;
a national-ID reader with its own security module would not, and plugs in behind the same interface.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Protocol

from kiosk.core.identity import AccessKey, Identity


class ReaderEventKind(str, Enum):
    READER_ADDED = "reader-added"
    READER_REMOVED = "reader-removed"
    CARD_INSERTED = "card-inserted"
    CARD_REMOVED = "card-removed"


@dataclass(frozen=True)
class ReaderEvent:
    kind: ReaderEventKind
    reader: str


class ReaderState(str, Enum):
    """Closed set of states the UI and diagnostics show."""

    NO_READER = "no_reader"
    NO_CARD = "no_card"
    CARD_PRESENT = "card_present"
    CARD_ERROR = "card_error"


@dataclass(frozen=True)
class ReaderStatus:
    state: ReaderState
    readers: tuple[str, ...] = ()
    detail: str = ""


class DocumentReader(Protocol):
    """A source of identities: a PC/SC eMRTD reader, a national-ID SAM reader, or the simulator."""

    @property
    def needs_access_key(self) -> bool:
        """True when `read()` needs an AccessKey (from the printed MRZ) to open the chip."""
        ...

    def start(self, on_event: Callable[[ReaderEvent], None]) -> None:
        """Begin watching readers and cards; `on_event` is called from a background thread."""
        ...

    def stop(self) -> None:
        """Stop watching; idempotent."""
        ...

    def status(self) -> ReaderStatus:
        """Current reader/card state, without touching the card."""
        ...

    def read(self, access_key: AccessKey | None, cancel: threading.Event) -> Identity:
        """Read the document on the reader. Blocks; raises a CardError subclass on failure."""
        ...


class MrzReader(Protocol):
    """Reads the machine-readable zone printed on a document from one camera frame."""

    def read_access_key(self, frame: Any) -> AccessKey:
        """The access key in the MRZ of `frame`; raises MrzUnreadable when no MRZ passes its check digits."""
        ...
