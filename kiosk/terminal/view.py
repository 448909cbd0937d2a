"""What the shell may see of the terminal: the session, its events, and a few read-only facts.

The shell never reaches into the terminal's devices, store or plugins: it renders sessions, dispatches the
citizen's events, and listens. Everything here is safe to call from the GUI thread (nothing blocks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from contract.eventlog import EventLog
from kiosk.config import Config
from kiosk.core.session import Rules, Session
from kiosk.devices.document import ReaderEvent
from kiosk.devices.face import FaceProgress
from kiosk.terminal.out_of_service import Finding
from kiosk.terminal.service_menu import ServiceMenu
from kiosk.terminal.technician_mode import TechnicianMode


class TerminalView(Protocol):
    config: Config
    rules: Rules
    technician: TechnicianMode  # the technicians' mode: its blocking calls go through technician.submit

    @property
    def session(self) -> Session: ...

    @property
    def log(self) -> EventLog: ...

    @property
    def has_camera(self) -> bool: ...

    @property
    def out_of_service(self) -> str | None:
        """The message key of why no session may start now (the shell shows it kindly), else None."""
        ...

    @property
    def out_of_service_findings(self) -> list[Finding]:
        """Every condition keeping the terminal out of service now (for the staff line of the screen)."""
        ...

    def now(self) -> float:
        """The monotonic clock the session's timers run on."""
        ...

    def menu(self) -> ServiceMenu: ...

    def dispatch(self, event: Any) -> None: ...

    def start(self) -> None: ...

    def close(self) -> None: ...

    def subscribe(self, listener: Callable[[Session], None]) -> None: ...

    def subscribe_face(self, listener: Callable[[FaceProgress], None]) -> None: ...

    def subscribe_reader(self, listener: Callable[[ReaderEvent], None]) -> None: ...

    def subscribe_sync_status(self, listener: Callable[[dict[str, Any]], None]) -> None: ...

    def subscribe_mrz_frames(self, listener: Callable[[Any], None]) -> None: ...

    def poll_sync_status(self) -> None: ...

    def write_device_health(self) -> None: ...
