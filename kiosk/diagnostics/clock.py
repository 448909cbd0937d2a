"""The kiosk clock's skew against the district, as the sync daemon last measured it (X-Server-Time).

The daemon writes `<data>/sync/status.json` (sync.daemon.STATUS_FILE) with `clock_skew_s` = kiosk minus district.
Past 30 s dates on receipts and logs start to mislead; past the district's 300 s request window
(district.settings.clock_window_s) an uncorrected request would be refused.
"""

from __future__ import annotations

import json
from pathlib import Path

from kiosk.devices.health import DeviceStatus, Level
from kiosk.devices.status_ids import device_status

DEVICE = "clock"
STATUS_FILE = Path("sync") / "status.json"  # written by the sync daemon


class ClockHealth:
    device = DEVICE

    def __init__(self, data_dir: Path, warn_s: float = 30.0, fail_s: float = 300.0) -> None:
        self._file = Path(data_dir) / STATUS_FILE
        self._warn = warn_s
        self._fail = fail_s

    def check(self, level: Level) -> DeviceStatus:
        try:
            status = json.loads(self._file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return device_status(DEVICE, "CLK-NOT-MEASURED", f"no sync status file at {self._file}")
        except (OSError, ValueError) as exc:
            return device_status(DEVICE, "CLK-NOT-MEASURED", f"sync status file {self._file} unreadable: {exc}")
        skew = status.get("clock_skew_s") if isinstance(status, dict) else None
        if not isinstance(skew, (int, float)):
            return device_status(DEVICE, "CLK-NOT-MEASURED", "the sync daemon has not measured the skew yet")
        facts = {"clock_skew_s": float(skew), "measured_file_written_at": status.get("written_at")}
        said = f"kiosk clock {'ahead of' if skew >= 0 else 'behind'} the district by {abs(skew):.1f} s"
        if abs(skew) >= self._fail:
            return device_status(DEVICE, "CLK-SKEW-SEVERE", said, facts=facts)
        if abs(skew) >= self._warn:
            return device_status(DEVICE, "CLK-SKEW", said, facts=facts)
        return device_status(DEVICE, "CLK-OK", said, facts=facts)
