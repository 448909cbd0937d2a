"""Starting the shell: QApplication, fonts, translations, kiosk lock, the main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTranslator
from PySide6.QtWidgets import QApplication

from kiosk.config import Config
from kiosk.terminal.terminal import Terminal
from kiosk.ui import theme
from kiosk.ui.kiosk_lock import KioskLock
from kiosk.ui.main_window import MainWindow

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
    if windowed:
        window.resize(1280, 1024)
        window.show()
    else:
        window.locked = True
        app.installEventFilter(KioskLock(app))
        window.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        window.showFullScreen()
    return window


def run_shell(config: Config, windowed: bool, quit_after_s: float = 0.0) -> int:
    """Run the terminal's GUI until the process is told to stop.

    SIGTERM/SIGINT end the session (wiping it) and quit cleanly. The 'attract-shown' log line marks the moment
    the first screen is on display (the cold-start benchmark waits for it).
    """
    import signal

    from PySide6.QtCore import QTimer

    from contract.log_events import Event
    from kiosk.assembly import assemble
    from kiosk.errors import DatabaseCorrupt

    app = make_application(config)
    try:
        terminal = assemble(config)
    except DatabaseCorrupt:  # logged by assemble; staying up (not exiting) keeps a supervisor out of a restart loop
        return _out_of_service(app, windowed, quit_after_s)
    terminal.start()
    window = build_window(app, terminal, windowed)
    app.aboutToQuit.connect(terminal.close)
    window.raise_()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: app.quit())
    # Python only runs signal handlers between bytecodes: a idle timer lets them in while Qt's loop waits.
    keepalive = QTimer(app)
    keepalive.timeout.connect(lambda: None)
    keepalive.start(250)
    QTimer.singleShot(0, lambda: terminal.log.log(Event.ATTRACT_SHOWN))
    if quit_after_s > 0:
        QTimer.singleShot(int(quit_after_s * 1000), app.quit)
    return app.exec()


def _out_of_service(app: QApplication, windowed: bool, quit_after_s: float) -> int:
    """A plain out-of-service screen for a terminal that cannot start safely, until the process is stopped."""
    import signal

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QLabel

    label = QLabel("暂停服务\n请联系工作人员\n\nOut of service\nPlease ask staff for help")
    label.setObjectName("outOfService")
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if windowed:
        label.resize(1280, 1024)
        label.show()
    else:
        app.installEventFilter(KioskLock(app))
        label.setWindowFlags(Qt.WindowType.FramelessWindowHint | Qt.WindowType.WindowStaysOnTopHint)
        label.showFullScreen()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: app.quit())
    keepalive = QTimer(app)
    keepalive.timeout.connect(lambda: None)
    keepalive.start(250)
    if quit_after_s > 0:
        QTimer.singleShot(int(quit_after_s * 1000), app.quit)
    app.exec()
    return 1
