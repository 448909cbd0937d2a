"""Driving the technicians' mode like a technician: hold the corner, type the PIN, open a page; screenshots."""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import Qt

from kiosk.terminal.technician_mode import ModeState
from tests.shell.drive import tap

PIN = "246810"


def snap(window, name: str) -> None:
    """Save the window as docs/screenshots/technician-<name>.png when KIOSK_SCREENSHOTS names that folder."""
    folder = os.environ.get("KIOSK_SCREENSHOTS")
    if folder:
        window.grab().save(str(Path(folder) / f"technician-{name}.png"))


def hold_corner(qtbot, window, hold_ms: int = 200) -> None:
    corner = window.technician.corner
    corner.hold_ms = hold_ms
    qtbot.mousePress(corner, Qt.MouseButton.LeftButton)
    qtbot.wait(hold_ms + 300)
    qtbot.mouseRelease(corner, Qt.MouseButton.LeftButton)


def type_pin(qtbot, window, pin: str) -> None:
    for digit in pin:
        tap(qtbot, window, f"pin-{digit}")
    tap(qtbot, window, "pin-ok")


def enter(qtbot, window, pin: str = PIN) -> None:
    """Corner, PIN, and wait for the devices page's fresh internal checks."""
    window.technician.pages["devices"].runs = []
    hold_corner(qtbot, window)
    type_pin(qtbot, window, pin)
    panel = window.technician
    qtbot.waitUntil(lambda: window.terminal.technician.state is ModeState.ACTIVE
                    and panel.stack.currentWidget() is panel.workspace, timeout=15000)
    qtbot.waitUntil(lambda: len(panel.pages["devices"].runs) > 0, timeout=60000)
    qtbot.wait(300)  # the table's new cells are shown by a queued call once their layout runs


def open_page(qtbot, window, name: str) -> None:
    tap(qtbot, window, f"technician-nav-{name}")
    qtbot.waitUntil(lambda: window.technician.pages_stack.currentWidget() is window.technician.pages[name],
                    timeout=5000)


def visible(window, testid: str) -> bool:
    from tests.shell.drive import find

    try:
        find(window, testid)
        return True
    except LookupError:
        return False


def events(data_dir: Path) -> list[dict]:
    path = data_dir / "technician-events.json"
    return json.loads(path.read_text()) if path.exists() else []


def log_events(log_file: Path) -> list[dict]:
    return [json.loads(line) for line in log_file.read_text().splitlines() if line.strip()]
