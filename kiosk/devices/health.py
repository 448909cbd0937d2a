"""One status model for every device, in the shape POS and ATM standards use, and the check each device runs.

UnifiedPOS gives a device a state (CLOSED, IDLE, BUSY, ERROR), a power state (ONLINE, OFF, OFFLINE,
OFF_OFFLINE, UNKNOWN) and `CheckHealth(level)` at three levels (internal: no visible effect; external: exercise
the device, e.g. a test page; interactive: with a technician). CEN/XFS adds the state of each medium or supply
(paper full / low / out / jammed / unknown). A technician at 3 a.m. needs one more thing: a stable status id to
quote on the phone and the fix in plain words, which `kiosk.devices.status_ids` keeps in one table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Protocol


class DeviceState(str, Enum):
    """UnifiedPOS `State`."""

    CLOSED = "CLOSED"  # not configured / not opened by the kiosk
    IDLE = "IDLE"  # ready
    BUSY = "BUSY"  # working (printing, reading)
    ERROR = "ERROR"


class PowerState(str, Enum):
    """UnifiedPOS `PowerState`."""

    ONLINE = "ONLINE"
    OFF = "OFF"
    OFFLINE = "OFFLINE"
    OFF_OFFLINE = "OFF_OFFLINE"  # off or offline: the kiosk cannot tell which
    UNKNOWN = "UNKNOWN"


class MediaState(str, Enum):
    """CEN/XFS `fwPaper` (and the like for toner and cards)."""

    FULL = "full"
    LOW = "low"
    OUT = "out"
    JAMMED = "jammed"
    UNKNOWN = "unknown"


class Health(str, Enum):
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"


class Level(str, Enum):
    """UnifiedPOS CheckHealth levels."""

    INTERNAL = "internal"  # status only, no visible effect
    EXTERNAL = "external"  # exercise the device: test page, receipt, spoken sentence, card read, capture
    INTERACTIVE = "interactive"  # a technician confirms what they saw and heard


class Recovery(str, Enum):
    """Whether a condition clears by itself (the kiosk retries) or needs a person on site."""

    SELF = "self"
    PERSON = "person"
    NONE = "none"  # nothing to recover from


@dataclass(frozen=True)
class DeviceStatus:
    """What one device reports: the standard's fields plus the status id and its fix."""

    device: str
    state: DeviceState
    power: PowerState
    status_id: str
    health: Health
    recovery: Recovery
    text: str  # what the kiosk saw, in English, with the device's own words (queue name, CUPS reasons, ATR)
    fix_zh: str
    fix_en: str
    media: dict[str, MediaState] = field(default_factory=dict)  # "paper", "toner", "card"
    facts: dict[str, Any] = field(default_factory=dict)  # ATR, frame rate, free bytes, skew: JSON-safe values

    def as_json(self) -> dict[str, Any]:
        return {"device": self.device, "state": self.state.value, "power": self.power.value,
                "health": self.health.value, "status_id": self.status_id, "text": self.text,
                "fix_zh": self.fix_zh, "fix_en": self.fix_en, "recovery": self.recovery.value,
                "media": {k: v.value for k, v in self.media.items()}, "facts": self.facts}


class HealthCheck(Protocol):
    """A device's health check. `check()` never raises for a device problem: a broken device is a status."""

    @property
    def device(self) -> str:
        """The device's name in the CLI and the records: reader, camera, face, printer, receipt, voice, ..."""
        ...

    def check(self, level: Level) -> DeviceStatus:
        """Run the check at `level` (INTERNAL or EXTERNAL; INTERACTIVE is recorded from a technician's answer)."""
        ...


def worst(healths: list[Health]) -> Health:
    """The worst of `healths` (PASS for none)."""
    if Health.FAIL in healths:
        return Health.FAIL
    if Health.WARN in healths:
        return Health.WARN
    return Health.PASS
