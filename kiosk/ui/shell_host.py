"""Which window the shell shows: the main window over a terminal, or the out-of-service screen while none can be
assembled, and the switch back by itself once the cause is gone.

An unsafe configuration is read once per start: it only changes with a restart, so its screen stays. A damaged
database or an unusable catalog can be repaired in place (a technician restores the file, the sync daemon
applies a catalog): every `check_interval_s` the cause is looked at again, quietly, and when it is gone the
terminal is assembled and the main window replaces the out-of-service screen. Each start and end of a
condition is logged and journalled for the heartbeat (kiosk.terminal.service_guard).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.config import Config
from kiosk.deployment_check import UnsafeSetting, unsafe_settings
from kiosk.errors import DatabaseCorrupt
from kiosk.store.service_journal import ServiceJournal
from kiosk.terminal.out_of_service import Condition, Finding
from kiosk.terminal.service_guard import ConditionTracker

STARTUP_CONDITIONS = {Condition.DATABASE_CORRUPT, Condition.CATALOG_UNUSABLE}


class ShellHost(QObject):
    """Owns the shell's top-level window. `window` is what is shown now; `terminal` is None while out of
    service at start-up. `on_window(window)` is called whenever the shown window changes.

    `main_window(terminal)` and `out_of_service(findings, unsafe_settings)` build and show the two windows
    (kiosk.ui.app's builders: they lock the window down and set the language)."""

    def __init__(self, app: QApplication, config: Config, log: EventLog,
                 main_window: Callable[[Any], QWidget],
                 out_of_service: Callable[[list[Finding], list[UnsafeSetting] | None], QWidget],
                 devices: Any = None, on_window: Callable[[QWidget], None] = lambda _w: None) -> None:
        super().__init__(app)
        self._app = app
        self._config = config
        self._main_window = main_window
        self._out_of_service_window = out_of_service
        self._log = log
        self._devices = devices
        self._on_window = on_window
        self.terminal: Any = None
        self.window: QWidget | None = None
        self.tracker = ConditionTracker(ServiceJournal(config.data_dir), log, STARTUP_CONDITIONS)
        self.retry = QTimer(self)
        self.retry.setInterval(max(50, int(config.service.check_interval_s * 1000)))
        self.retry.timeout.connect(self._try_again)

    def open(self) -> QWidget:
        """Show the first window; returns it."""
        problems = unsafe_settings(self._config)
        if problems:
            self._log.log(Event.APP_START, kiosk=self._config.terminal.kiosk_id, data=str(self._config.data_dir))
            self._show(self._out_of_service_window([], problems))
            return self._shown()
        self._assemble()
        return self._shown()

    def _shown(self) -> QWidget:
        assert self.window is not None
        return self.window

    def _assemble(self) -> None:
        from contract.catalog.model import CatalogInvalid
        from kiosk.assembly import assemble

        try:
            terminal = assemble(self._config, devices=self._devices, log=self._log)
        except DatabaseCorrupt as exc:  # logged by assemble; staying up keeps a supervisor out of a restart loop
            self._out_of_service(Finding(Condition.DATABASE_CORRUPT, exc.detail))
            return
        except CatalogInvalid as exc:
            self._out_of_service(Finding(Condition.CATALOG_UNUSABLE, f"no usable catalog: {exc}"[:300]))
            return
        self.retry.stop()
        self.tracker.update([])
        terminal.start()
        self.terminal = terminal
        self._app.aboutToQuit.connect(terminal.close)
        self._show(self._main_window(terminal))

    def _out_of_service(self, finding: Finding) -> None:
        self.tracker.update([finding])
        self._show(self._out_of_service_window([finding], None))
        self.retry.start()

    def _try_again(self) -> None:
        from kiosk.assembly import startup_finding

        finding = startup_finding(self._config)
        if finding is None:
            self._assemble()  # the cause is gone: the real thing, with its logging
            return
        holding = self.tracker.findings
        if [f.condition for f in holding] != [finding.condition]:
            self._out_of_service(finding)

    def _show(self, window: QWidget) -> None:
        previous, self.window = self.window, window
        window.raise_()
        if previous is not None and previous is not window:
            previous.locked = False  # type: ignore[attr-defined]
            previous.close()
            previous.deleteLater()
        self._on_window(window)
