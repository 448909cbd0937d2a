"""The uptimes a heartbeat carries: the host's since boot (/proc/uptime, as fleet tools report it) and the kiosk
shell's since its last (re)start, which the shell writes into its health file (kiosk.terminal.device_health).

Two figures because they tell different stories: a host up for weeks whose shell is up for minutes is a shell
that crashes and is restarted by its supervisor; both low is a power cut or a reboot.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

PROC_UPTIME = Path("/proc/uptime")
# The health file's key; the same name as the heartbeat field (contract.heartbeat.Heartbeat.shell_uptime_s).
SHELL_UPTIME_KEY = "shell_uptime_s"


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    value = float(value)
    return round(value, 1) if math.isfinite(value) and value >= 0 else None


def host_uptime_s(path: Path = PROC_UPTIME) -> float | None:
    """Seconds since boot: /proc/uptime's first number (proc(5): "the uptime of the system (including time
    spent in suspend)", the second being idle time). None where there is no such file or it is unreadable."""
    try:
        first = path.read_text(encoding="ascii").split()[0]
        return _seconds(float(first))
    except (OSError, ValueError, IndexError, UnicodeDecodeError):
        return None


def split_shell_uptime(health: dict[str, Any]) -> tuple[dict[str, Any], float | None]:
    """(the health file without the shell's uptime, that uptime): the uptime is no device state, so it goes into
    its own heartbeat field. A shell older than the field, or a damaged value, gives None."""
    rest = {k: v for k, v in health.items() if k != SHELL_UPTIME_KEY}
    return rest, _seconds(health.get(SHELL_UPTIME_KEY))
