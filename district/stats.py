"""`kiosk-district stats`: transactions per kiosk, duplicates refused, last heartbeat per kiosk."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from district.models import HeartbeatRow, HelpRequestRow, KioskRow, ReceivedTransactionRow


def district_stats(engine: Engine) -> dict[str, Any]:
    """{"kiosks": {name: {state, transactions, duplicates_refused, last_heartbeat, clock_skew_s, backlog}},
    "transactions", "duplicates_refused", "help_requests_open"}."""
    with Session(engine) as s:
        counts = dict(s.execute(select(ReceivedTransactionRow.kiosk, func.count())
                                .group_by(ReceivedTransactionRow.kiosk)).all())
        beats = {r.kiosk: r for r in s.scalars(select(HeartbeatRow))}
        kiosks: dict[str, Any] = {}
        for row in s.scalars(select(KioskRow)):
            beat = beats.get(row.name)
            kiosks[row.name] = {
                "state": row.state,
                "transactions": counts.get(row.name, 0),
                "duplicates_refused": row.duplicates_refused,
                "last_heartbeat": beat.received_at if beat else None,
                "clock_skew_s": round(beat.clock_skew_s, 3) if beat else None,
                "backlog": (beat.body or {}).get("backlog") if beat else None,
            }
        open_help = s.scalar(select(func.count()).select_from(HelpRequestRow).where(HelpRequestRow.state == "open"))
    return {"kiosks": kiosks, "transactions": sum(counts.values()),
            "duplicates_refused": sum(k["duplicates_refused"] for k in kiosks.values()),
            "help_requests_open": open_help or 0}
