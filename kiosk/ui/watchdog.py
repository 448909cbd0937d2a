"""The shell under systemd's watchdog: READY=1 once the attract screen is drawn, WATCHDOG=1 from the GUI thread.

The keep-alive is a QTimer on the GUI thread, not a helper thread: the only way a ping goes out is through the
Qt event loop, so a GUI thread that blocks (a deadlock, a slow call that should have been on a worker) stops the
pings and the service manager restarts the shell. READY=1 waits for the attract screen's first paint, so
"started" means a citizen can see the screen, not merely that the process is up.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Mapping

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.supervision.notify import Supervision, SupervisionError

# Test hook: with this variable set to N seconds, SIGUSR2 makes the GUI thread sleep N seconds, so a test can
# block the real event loop from outside. Unset in production: SIGUSR2 then keeps its default action.
TEST_HANG_ENV = "KIOSK_TEST_GUI_HANG_S"


def _report_to_stderr(exc: SupervisionError) -> None:
    sys.stderr.write(f"kiosk: service manager notification failed: {exc}\n")


class ShellWatchdog(QObject):
    """Sends READY=1 (with MAINPID=) after `attract` is first painted, then WATCHDOG=1 every half of
    WATCHDOG_USEC from a GUI-thread timer, and STOPPING=1 when the application quits. Inert when not
    supervised."""

    def __init__(self, supervision: Supervision, attract: QWidget, app: QApplication,
                 on_error: Callable[[SupervisionError], None] = _report_to_stderr) -> None:
        super().__init__(app)
        self._notifier = supervision.notifier
        self._attract = attract
        self._on_error = on_error
        self._failing = False
        self.ready_sent = False
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)  # a coarse timer may fire up to 5 % late
        self.timer.timeout.connect(self._ping)
        interval = supervision.ping_interval_s
        self._pings = interval is not None
        if interval is not None:
            self.timer.setInterval(max(1, int(interval * 1000)))
        if self._notifier.enabled:
            attract.installEventFilter(self)
            attract.update()  # a paint is due after the filter is in place, even if the window drew already
            app.aboutToQuit.connect(self._stopping)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # Qt override
        if obj is self._attract and event.type() == QEvent.Type.Paint:
            self._attract.removeEventFilter(self)
            # The filter sees the paint event before the widget draws; queue the notification behind the whole
            # paint pass (children included, and the flush to the window system).
            QTimer.singleShot(0, self._drawn)
        return False

    def _drawn(self) -> None:
        # MAINPID: under cage or xinit the manager started the compositor, not the shell. Claiming the main PID
        # makes `systemctl stop` (KillMode=mixed) signal the shell, which exits and takes the compositor down
        # cleanly; Debian 12's cage aborts when it gets SIGTERM itself. Harmless when the shell is main already.
        self._send(lambda: self._notifier.ready("attract screen shown", main_pid=os.getpid()))
        self.ready_sent = True
        if self._pings:
            self.timer.start()

    def _ping(self) -> None:
        self._send(self._notifier.watchdog)

    def _stopping(self) -> None:
        self.timer.stop()
        self._send(lambda: self._notifier.stopping("shutting down"))
        self._notifier.close()

    def _send(self, notify: Callable[[], bool]) -> None:
        try:
            notify()
        except SupervisionError as exc:
            if not self._failing:  # say it once, not every few seconds while the socket stays away
                self._on_error(exc)
            self._failing = True
            return
        self._failing = False


def arm_test_hang(environ: Mapping[str, str]) -> bool:
    """Install the SIGUSR2 test hook when TEST_HANG_ENV is set; True when installed.

    Python runs signal handlers on the main thread, which is the GUI thread here, between bytecodes (the
    shell's idle timer lets them in): the sleep below therefore blocks the Qt event loop itself.
    """
    raw = environ.get(TEST_HANG_ENV)
    if not raw:
        return False
    try:
        seconds = float(raw)
    except ValueError:
        raise ValueError(f"{TEST_HANG_ENV}={raw!r} is not a number of seconds") from None
    signal.signal(signal.SIGUSR2, lambda *_: time.sleep(seconds))
    return True
