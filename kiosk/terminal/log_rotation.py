"""Rotating the terminal's logs with a size cap, so months of unattended running cannot fill the data disk.

`kiosk.jsonl` past the cap becomes `kiosk.jsonl.1` (older ones shift to .2 ... .keep, the oldest is deleted).
The renamed file is never copied or truncated: a writer in this or another process (the sync daemon) notices
the rename at its next line and opens a new file (contract.eventlog.EventLog), so no line is lost. At most
(keep + 1) x cap bytes per log stay on disk, plus what is written between two maintenance runs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rotated:
    name: str
    bytes: int


def rotate_logs(folder: Path, max_bytes: int, keep: int, pattern: str = "*.jsonl") -> list[Rotated]:
    """Rotate every log in `folder` larger than `max_bytes`; returns which. Nothing happens for a missing folder."""
    rotated: list[Rotated] = []
    if not Path(folder).is_dir():
        return rotated
    for log in sorted(Path(folder).glob(pattern)):
        size = log.stat().st_size
        if size <= max_bytes:
            continue
        for n in range(keep, 0, -1):
            older = log.with_name(f"{log.name}.{n}")
            if not older.exists():
                continue
            if n == keep:
                older.unlink()
            else:
                os.replace(older, log.with_name(f"{log.name}.{n + 1}"))
        if keep > 0:
            os.replace(log, log.with_name(f"{log.name}.1"))
        else:
            log.unlink()
        rotated.append(Rotated(log.name, size))
    return rotated
