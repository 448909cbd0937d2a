"""When the terminal must not start a session: every condition that makes serving unsafe, judged in one place.

A 24-hour kiosk meets these unattended: a damaged database, a data disk filling up, a pulled card reader or a
dead printer, no usable service list, a clock far from the district's, a revoked kiosk. Each is a `Finding`
(which condition, a kind message key for citizens, a detail for staff). The checks here are pure functions of
what was measured; kiosk.terminal.service_guard measures, notices changes and records them for the heartbeat.
A session already running is never cut off: only a new Start is refused, so a citizen half-way finishes (the
disk reserve exists so that a transaction in progress always has room to complete).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any

# The build's date: no clock reading before it can be true (a kiosk that lost its RTC battery boots in 1970 or
# 2000). Raised at each release; a newer floor comes with the update's manifest (kiosk.update).
CLOCK_FLOOR = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
MIB = 1024 * 1024


def release_floor(release_folder: Path) -> dt.datetime:
    """The clock floor: the later of CLOCK_FLOOR and the `built_at` of the installed release's manifest
    (kiosk-release.json, deploy/updates.md), so every update raises it without a code change."""
    try:
        body = json.loads((Path(release_folder) / "kiosk-release.json").read_text(encoding="utf-8"))
        built = dt.datetime.fromisoformat(str(body["built_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        return CLOCK_FLOOR
    return max(CLOCK_FLOOR, built) if built.tzinfo is not None else CLOCK_FLOOR


class Condition(str, Enum):
    """Closed set of reasons for being out of service; the values are what the heartbeat and logs carry."""

    CONFIG_UNSAFE = "config-unsafe"
    DATABASE_CORRUPT = "database-corrupt"
    DISK_FULL = "disk-full"
    DEVICE_MISSING = "device-missing"
    CATALOG_UNUSABLE = "catalog-unusable"
    CLOCK_WRONG = "clock-wrong"
    REVOKED = "revoked"
    MAINTENANCE = "maintenance"  # the daily maintenance, a few seconds between sessions (not sent as an event)


# The message keys (kiosk.i18n.messages) of the sentence citizens read for each condition.
REVOKED = "out_of_service.revoked"
MESSAGE_KEYS = {
    Condition.CONFIG_UNSAFE: "out_of_service.unavailable",
    Condition.DATABASE_CORRUPT: "out_of_service.unavailable",
    Condition.DISK_FULL: "out_of_service.maintenance",
    Condition.DEVICE_MISSING: "out_of_service.device",
    Condition.CATALOG_UNUSABLE: "out_of_service.unavailable",
    Condition.CLOCK_WRONG: "out_of_service.maintenance",
    Condition.REVOKED: REVOKED,
    Condition.MAINTENANCE: "out_of_service.maintenance",
}
# When several hold, the screen names the one a citizen can best understand (a broken device before a clock).
PRIORITY = (Condition.DEVICE_MISSING, Condition.REVOKED, Condition.DISK_FULL, Condition.CATALOG_UNUSABLE,
            Condition.CLOCK_WRONG, Condition.DATABASE_CORRUPT, Condition.CONFIG_UNSAFE, Condition.MAINTENANCE)


@dataclass(frozen=True)
class Finding:
    condition: Condition
    detail: str  # for staff and the district: what was measured, never personal data

    @property
    def message_key(self) -> str:
        return MESSAGE_KEYS[self.condition]

    def as_json(self) -> dict[str, str]:
        return {"condition": self.condition.value, "detail": self.detail[:300]}


def headline(findings: list[Finding]) -> Finding | None:
    """The finding the screen leads with, or None when the terminal may serve."""
    if not findings:
        return None
    return min(findings, key=lambda f: PRIORITY.index(f.condition))


def revoked_finding(sync_status: dict[str, Any]) -> Finding | None:
    """The district stores nothing this kiosk sends: a session would record transactions never delivered."""
    if sync_status.get("link") == "revoked":
        return Finding(Condition.REVOKED, "the district revoked this kiosk")
    return None


def disk_finding(free_bytes: int, reserve_bytes: int) -> Finding | None:
    """Below the reserve no new session starts: what is left is for the sessions already running."""
    if free_bytes < reserve_bytes:
        return Finding(Condition.DISK_FULL, f"{free_bytes / MIB:.1f} MiB free in the data folder, "
                                            f"below the reserve of {reserve_bytes / MIB:.0f} MiB")
    return None


def device_findings(reader_state: str | None, printer_state: str | None) -> list[Finding]:
    """A required device that is gone. `reader_state` is a kiosk.devices.document.ReaderState value,
    `printer_state` a kiosk.devices.printer.PrinterState value; None means "not required here"."""
    found = []
    if reader_state == "no_reader":
        found.append(Finding(Condition.DEVICE_MISSING, "no card reader connected"))
    if printer_state in ("offline", "error"):
        found.append(Finding(Condition.DEVICE_MISSING, f"printer {printer_state}"))
    return found


def catalog_finding(item_count: int | None, problem: str = "") -> Finding | None:
    """No service list at all (`item_count` None), or one with nothing a citizen could choose."""
    if item_count is None:
        return Finding(Condition.CATALOG_UNUSABLE, f"no catalog could be loaded: {problem}"[:300])
    if item_count == 0:
        return Finding(Condition.CATALOG_UNUSABLE, "the catalog offers no service this terminal can run")
    return None


def clock_finding(now: dt.datetime, skew_s: float | None, max_skew_s: float,
                  floor: dt.datetime = CLOCK_FLOOR) -> Finding | None:
    """The wall clock dates certificates and receipts: wrong by more than `max_skew_s` against the district's
    server time (skew = kiosk minus district, as the sync daemon measured it), or before the build's date."""
    if now < floor:
        return Finding(Condition.CLOCK_WRONG, f"the clock reads {now.isoformat(timespec='seconds')}, before "
                                              f"this software was built ({floor.date().isoformat()})")
    if skew_s is not None and abs(skew_s) > max_skew_s:
        side = "ahead of" if skew_s > 0 else "behind"
        return Finding(Condition.CLOCK_WRONG, f"the clock is {abs(skew_s):.0f} s {side} the district's "
                                              f"(at most {max_skew_s:.0f} s allowed)")
    return None


def out_of_service_reason(sync_status: dict[str, Any]) -> str | None:
    """The message key when the sync status alone puts the terminal out of service (revocation), else None."""
    finding = revoked_finding(sync_status)
    return finding.message_key if finding else None
