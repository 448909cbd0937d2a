"""The devices' states in `<data>/devices.json`, which the sync daemon sends with every heartbeat.

So the district sees a printer out of paper or a pulled card reader without calling the terminal.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from contract.atomic_write import write_atomic
from kiosk.devices.bundle import Devices

DEVICES_FILE = "devices.json"
# Seconds since the shell (re)started, written with the states; the daemon moves it to the heartbeat's
# `shell_uptime_s` (sync.uptime), so a shell restarting every hour shows in the fleet.
SHELL_UPTIME_KEY = "shell_uptime_s"


def device_health(devices: Devices, now: dt.datetime) -> dict[str, Any]:
    return {"reader": devices.reader.status().state.value,
            "printer": devices.printer.status().state.value,
            "receipt_printer": devices.receipt_printer.status().state.value,
            "camera": devices.camera.state.value if devices.camera is not None else "none",
            "at": now.isoformat(timespec="seconds")}


def write_device_health(devices: Devices, data_dir: Path, now: dt.datetime) -> None:
    write_health_file(data_dir, device_health(devices, now))


def write_health_file(data_dir: Path, health: dict[str, Any]) -> None:
    """Write `health` (device_health's dict, plus the alert and the technicians' mode) for the heartbeat."""
    write_atomic(Path(data_dir) / DEVICES_FILE, json.dumps(health).encode())
