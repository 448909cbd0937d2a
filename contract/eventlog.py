"""Structured JSON-lines logging of declared events, with personal data masked before it is written.

One `EventLog` per process, created at start-up and passed to whatever logs; there is no module-level logger.
Identical consecutive lines are coalesced into one with a `repeat` count, so a flapping device cannot fill the disk.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

from contract.log_events import Event
from contract.privacy import mask_document_number

# Keys whose values are personal: masked whatever the caller passed.
_DOCUMENT_KEYS = {"document_number", "doc", "id_number"}
_DROPPED_KEYS = {"photo", "face", "frame", "encoding", "template", "image", "surname", "given_names", "name",
                 "date_of_birth", "mrz"}
# Long digit/letter runs that look like ID numbers inside free text (18-char resident IDs, passport numbers).
_ID_LIKE = re.compile(r"\b(?=[0-9A-Z]*\d)[0-9A-Z]{8,18}[0-9X]?\b")


def scrub(value: Any) -> Any:
    """Mask document numbers and drop biometric/personal fields in a log payload, recursively."""
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k in _DROPPED_KEYS:
                out[k] = "<redacted>"
            elif k in _DOCUMENT_KEYS and isinstance(v, str):
                out[k] = mask_document_number(v)
            else:
                out[k] = scrub(v)
        return out
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        return _ID_LIKE.sub(lambda m: mask_document_number(m.group(0)), value)
    return value


class TextSink(Protocol):
    """Where log lines go besides the file: standard error, a test's buffer, nowhere."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class EventLog:
    """Writes one JSON object per line: ts, event, kind, component, then the scrubbed fields."""

    def __init__(self, stream: TextSink | None = None, path: Path | None = None, component: str = "kiosk",
                 clock: Callable[[], float] = time.time) -> None:
        self._component = component
        self._clock = clock
        self._lock = threading.Lock()
        self._file: IO[str] | None = None
        self._path = path
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(path, "a", encoding="utf-8", buffering=1)
            os.chmod(path, 0o600)
        self._stream = stream if stream is not None else (None if path is not None else sys.stderr)
        self._last_key: str | None = None
        self._repeat = 0

    def log(self, event: Event, /, **fields: Any) -> None:
        """Write `event` with `fields` (scrubbed). Never raises: logging must not break a citizen's session."""
        try:
            body = scrub(fields)
            key = json.dumps([event.event_id, body], sort_keys=True, ensure_ascii=False, default=str)
            with self._lock:
                if key == self._last_key:
                    self._repeat += 1
                    return
                self._flush_repeat()
                self._last_key = key
                self._write({"ts": round(self._clock(), 3), "event": event.event_id, "kind": event.kind,
                             "component": self._component, **body})
        except Exception:  # noqa: BLE001 - a log line is never worth a crash
            pass

    def _flush_repeat(self) -> None:
        if self._repeat and self._last_key is not None:
            event_id, body = json.loads(self._last_key)
            self._write({"ts": round(self._clock(), 3), "event": event_id, "component": self._component,
                         "repeat": self._repeat, **body})
        self._repeat = 0

    def _write(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        self._reopen_if_moved()
        for out in (self._file, self._stream):
            if out is not None:
                out.write(line)
                out.flush()

    def _reopen_if_moved(self) -> None:
        """Follow log rotation (kiosk.terminal.maintenance renames full logs, even another process's): when the
        file at `path` is no longer the one open here, open the new one (as logging's WatchedFileHandler does)."""
        if self._file is None or self._path is None:
            return
        try:
            moved = os.stat(self._path).st_ino != os.fstat(self._file.fileno()).st_ino
        except FileNotFoundError:
            moved = True
        if moved:
            self._file.close()
            self._file = open(self._path, "a", encoding="utf-8", buffering=1)
            os.chmod(self._path, 0o600)

    def close(self) -> None:
        """Flush a pending repeat count and close the file."""
        with self._lock:
            self._flush_repeat()
            self._last_key = None
            if self._file is not None:
                self._file.close()
                self._file = None


class NullEventLog(EventLog):
    """An EventLog that writes nothing (tests and library use)."""

    def __init__(self) -> None:
        super().__init__(stream=_NullStream())


class _NullStream:
    def write(self, _s: str) -> int:
        return 0

    def flush(self) -> None:
        pass
