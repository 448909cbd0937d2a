"""Starting the shell: QApplication, fonts, translations, kiosk lock, the main window.

A configuration that is unsafe to serve citizens (kiosk.deployment_check), a damaged database or no usable
catalog gets the out-of-service screen instead of the main window (kiosk.ui.shell_host): no devices are opened,
the reasons are logged, and the process stays up.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication, QWidget

from contract.eventlog import EventLog
from contract.log_events import Event
from kiosk.config import Config
from kiosk.deployment_check import UnsafeSetting
from kiosk.supervision.notify import Supervision
from kiosk.terminal.out_of_service import Condition, Finding
from kiosk.terminal.terminal import Terminal
from kiosk.ui import theme
from kiosk.ui.kiosk_lock import KioskLock
from kiosk.ui.main_window import MainWindow
from kiosk.ui.out_of_service import OutOfServiceWindow
from kiosk.ui.shell_host import ShellHost

TRANSLATIONS = Path(__file__).resolve().parent.parent.parent / "assets" / "translations"


class LanguageSwitch:
    """Installs the .qm translator of the chosen language (English is the source language: none)."""

    def __init__(self, app: QCoreApplication) -> None:
        self._app = app

    def __call__(self, language: str) -> None:
        # The translator hangs off the application, not this object: one QApplication may outlive several
        # windows (tests), and a translator left installed by an earlier window would win over ours.
        previous = getattr(self._app, "_kiosk_translator", None)
        if previous is not None:
            self._app.removeTranslator(previous)
            self._app._kiosk_translator = None  # type: ignore[attr-defined]
        if language == "en":
            return
        translator = QTranslator(self._app)
        if translator.load(str(TRANSLATIONS / f"kiosk_{language}.qm")):
            self._app.installTranslator(translator)
            self._app._kiosk_translator = translator  # type: ignore[attr-defined]


def make_application(config: Config, argv: list[str] | None = None) -> QApplication:
    """The QApplication with the CJK font and the stylesheet (reuses an existing instance, as in tests)."""
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    assert isinstance(app, QApplication)
    family = theme.load_cjk_font()
    app.setFont(theme.app_font(family, config.ui.base_font_pt))
    app.setStyleSheet(theme.stylesheet(config.ui.base_font_pt,
                                       theme.touch_px(config.ui.min_touch_mm, config.ui.dpi)))
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    return app


def build_window(app: QApplication, terminal: Terminal, windowed: bool) -> MainWindow:
    """The main window, locked down unless `windowed`."""
    window = MainWindow(terminal, LanguageSwitch(app))
    _show(app, window, windowed)
    return window


def build_out_of_service_window(app: QApplication, config: Config, problems: list[UnsafeSetting],
                                windowed: bool, log: EventLog) -> OutOfServiceWindow:
    """The out-of-service screen for an unsafe configuration, after logging why (one reason per problem)."""
    log.log(Event.OUT_OF_SERVICE, keys=[p.key for p in problems], reasons=[str(p) for p in problems])
    findings = [Finding(Condition.CONFIG_UNSAFE, str(p)) for p in problems]
    return _out_of_service_window(app, config, findings, windowed, [p.key for p in problems])


def build_finding_window(app: QApplication, config: Config, findings: list[Finding], windowed: bool,
                         log: EventLog) -> OutOfServiceWindow:
    """The out-of-service screen for conditions found before a terminal exists (database, catalog)."""
    log.log(Event.OUT_OF_SERVICE, conditions=[f.condition.value for f in findings],
            reasons=[f.detail for f in findings])
    return _out_of_service_window(app, config, findings, windowed, None)


def _out_of_service_window(app: QApplication, config: Config, findings: list[Finding], windowed: bool,
                           config_keys: list[str] | None) -> OutOfServiceWindow:
    LanguageSwitch(app)(config.terminal.language)  # in the terminal's language: there is no session
    window = OutOfServiceWindow(findings, config.terminal.kiosk_id, config.terminal.staffed_counter, config_keys)
    _show(app, window, windowed)
    return window


def _show(app: QApplication, window: QWidget, windowed: bool) -> None:
    if windowed:
        window.resize(1280, 1024)
        window.show()
    else:
        window.locked = True  # type: ignore[attr-defined]
        app.installEventFilter(KioskLock(app))
        window.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        # X without a window manager (deploy/: xinit) ignores the fullscreen request: cover the screen ourselves.
        window.setGeometry(app.primaryScreen().geometry())
        window.showFullScreen()


def shell_host(app: QApplication, config: Config, windowed: bool, log: EventLog, devices: Any = None) -> ShellHost:
    """The host of the shell's windows (not yet opened: call `.open()`)."""

    def out_of_service(findings: list[Finding], problems: list[UnsafeSetting] | None) -> QWidget:
        if problems:
            return build_out_of_service_window(app, config, problems, windowed, log)
        return build_finding_window(app, config, findings, windowed, log)

    return ShellHost(app, config, log, lambda terminal: build_window(app, terminal, windowed), out_of_service,
                     devices=devices)


def run_shell(config: Config, windowed: bool, quit_after_s: float = 0.0,
              supervision: Supervision | None = None) -> int:
    """Run the terminal's GUI until the process is told to stop.

    SIGTERM/SIGINT end the session (wiping it) and quit cleanly. The 'attract-shown' log line marks the moment
    the first screen is on display (the cold-start benchmark waits for it). Under systemd (`supervision`), the
    shell notifies READY=1 once the attract screen is drawn and pings the watchdog from the GUI thread.
    """
    import os
    import signal

    from PySide6.QtCore import QTimer

    from kiosk.core.session import State
    from kiosk.ui.watchdog import ShellWatchdog, arm_test_hang

    app = make_application(config)
    log = EventLog(stream=sys.stderr, path=config.data_dir / "logs" / "kiosk.jsonl", component="kiosk")
    host = shell_host(app, config, windowed, log)
    window = host.open()
    if supervision is not None:
        # READY=1 once the first screen a citizen sees is drawn: the attract screen, or the out-of-service one
        # (a kiosk that is safely out of service is "up" for systemd: restarting it would change nothing).
        first_screen = window.screens[State.ATTRACT] if host.terminal is not None else window  # type: ignore[attr-defined]
        ShellWatchdog(supervision, first_screen, app)  # parented to app: lives as long
    arm_test_hang(os.environ)
    # exit(), not quit(): Qt 6's quit() first asks every window to close, and the locked window refuses, so
    # systemd's SIGTERM would be ignored until its stop timeout ends in SIGKILL.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: app.exit(0))
    # Python only runs signal handlers between bytecodes: a idle timer lets them in while Qt's loop waits.
    keepalive = QTimer(app)
    keepalive.timeout.connect(lambda: None)
    keepalive.start(250)
    if host.terminal is not None:
        QTimer.singleShot(0, lambda: log.log(Event.ATTRACT_SHOWN))
    if quit_after_s > 0:
        QTimer.singleShot(int(quit_after_s * 1000), lambda: app.exit(0))
    return app.exec()
