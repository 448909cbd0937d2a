"""What the kiosk page shows besides its fleet row: transactions per day and per item (counts only, never
payloads), and each device's latest diagnostics checks as the heartbeat carried them."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from district.models import ReceivedTransactionRow

DAYS = 14


def transactions_per_item(engine: Engine, kiosk: str) -> list[tuple[str, int]]:
    with Session(engine) as s:
        rows = s.execute(select(ReceivedTransactionRow.item_id, func.count()).where(
            ReceivedTransactionRow.kiosk == kiosk).group_by(ReceivedTransactionRow.item_id)).all()
    return sorted(((item, n) for item, n in rows), key=lambda r: (-r[1], r[0]))


def transactions_per_day(engine: Engine, kiosk: str, now: float | None = None) -> list[tuple[str, int]]:
    """Counts per UTC day over the last DAYS days, newest first (bucketed here: portable across SQLite and PG)."""
    now = time.time() if now is None else now
    since = now - DAYS * 86400
    with Session(engine) as s:
        times = s.scalars(select(ReceivedTransactionRow.received_at).where(
            ReceivedTransactionRow.kiosk == kiosk, ReceivedTransactionRow.received_at >= since))
        days = Counter(dt.datetime.fromtimestamp(t, dt.UTC).date().isoformat() for t in times)
    return sorted(days.items(), reverse=True)


def device_checks(devices: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Rows of the heartbeat's `devices.checks` ({device: {level: {health, status_id, at, text}}})."""
    out = []
    for device, levels in sorted(((devices or {}).get("checks") or {}).items()):
        if not isinstance(levels, dict):
            continue
        for level, c in sorted(levels.items()):
            if isinstance(c, dict):
                out.append({"device": device, "level": level, "health": c.get("health"),
                            "status_id": c.get("status_id"), "at": c.get("at"), "text": c.get("text")})
    return out
