"""Free space of the data folder (database, spool, logs): the kiosk stops keeping records when it fills up.

Besides the figure, a 4 KiB probe file is written and removed: a filesystem can refuse writes (full inodes, a
read-only remount after an error) while `statvfs` still shows free blocks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from kiosk.devices.health import DeviceStatus, Level
from kiosk.devices.status_ids import device_status

DEVICE = "disk"
MIB = 1024 * 1024


class DiskHealth:
    device = DEVICE

    def __init__(self, data_dir: Path, fail_below: int = 64 * MIB, warn_below: int = 512 * MIB) -> None:
        self._data = Path(data_dir)
        self._fail_below = fail_below
        self._warn_below = warn_below

    def check(self, level: Level) -> DeviceStatus:
        folder = self._data
        while not folder.exists() and folder != folder.parent:  # a first run: measure where it will be made
            folder = folder.parent
        usage = shutil.disk_usage(folder)
        facts = {"path": str(self._data), "free_bytes": usage.free, "total_bytes": usage.total}
        said = f"data folder {self._data}: {usage.free / MIB:.0f} MiB free of {usage.total / MIB:.0f} MiB"
        problem = _write_probe(folder)
        if problem:
            return device_status(DEVICE, "DISK-FULL", f"{said}; writing fails: {problem}", facts=facts)
        if usage.free < self._fail_below:
            return device_status(DEVICE, "DISK-FULL", f"{said} (below {self._fail_below // MIB} MiB)", facts=facts)
        if usage.free < self._warn_below:
            return device_status(DEVICE, "DISK-LOW", f"{said} (below {self._warn_below // MIB} MiB)", facts=facts)
        return device_status(DEVICE, "DISK-OK", said, facts=facts)


def _write_probe(folder: Path) -> str:
    try:
        fd, name = tempfile.mkstemp(prefix=".diskprobe-", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    try:
        os.write(fd, b"\0" * 4096)
        os.fsync(fd)
        return ""
    except OSError as exc:
        return exc.strerror or str(exc)
    finally:
        os.close(fd)
        os.unlink(name)
