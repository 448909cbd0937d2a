"""Driving the real shell from a script (scripts/screenshots*.py): let Qt run, and wait for a session state."""

from __future__ import annotations

import time


def pump(seconds: float) -> None:
    """Let Qt process events for `seconds` (the screenshot scripts have no event loop of their own)."""
    from PySide6.QtWidgets import QApplication

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        QApplication.processEvents()
        time.sleep(0.02)


def wait_for_state(terminal, state, timeout: float = 30, settle: float = 0.4) -> None:
    """Pump until the terminal's session is in `state`, then `settle` seconds more for the screen to draw."""
    end = time.monotonic() + timeout
    while terminal.session.state is not state:
        if time.monotonic() > end:
            raise RuntimeError(f"never reached {state}")
        pump(0.05)
    pump(settle)
