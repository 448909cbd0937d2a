"""`kiosk-district stats` and `kiosk list`: per kiosk, what the district knows and what the kiosk last reported.

What the kiosk reports (backlog, dead letters, versions, devices) comes from its latest heartbeat, shown with that
heartbeat's age: a revoked or silent kiosk's figures are as old as `last_heartbeat_age_s` says, never presented as
current. The district's own counts (transactions received, duplicates refused, open help requests) are live.
"""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from district.models import HeartbeatRow, HelpRequestRow, KioskRow, ReceivedTransactionRow

# The registry's states as operators read them: an enrolled kiosk is active.
STATE_NAMES = {"enrolled": "active", "pending": "pending", "revoked": "revoked"}


def kiosk_overview(engine: Engine, now: float | None = None,
                   transaction_counts: bool = True) -> dict[str, dict[str, Any]]:
    """{name: {state, transactions, duplicates_refused, help_requests_open, last_heartbeat, last_heartbeat_age_s,
    clock_skew_s, backlog, oldest_pending_age_s, dead_letters, last_error, software_version, catalog_version,
    catalog_expired, catalog_refusal (the reason of the last catalog it refused), catalog_source,
    catalog_fallback, devices, host_uptime_s, shell_uptime_s, out_of_service}} - the kiosk-reported fields are
    None before its first heartbeat. Without `transaction_counts`, `transactions` is None: counting scans every
    transaction ever received, which a page that does not show them should not pay for at every refresh."""
    now = time.time() if now is None else now
    with Session(engine) as s:
        counts = dict(s.execute(select(ReceivedTransactionRow.kiosk, func.count())
                                .group_by(ReceivedTransactionRow.kiosk)).all()) if transaction_counts else None
        open_help = dict(s.execute(select(HelpRequestRow.kiosk, func.count())
                                   .where(HelpRequestRow.state == "open").group_by(HelpRequestRow.kiosk)).all())
        # Plain rows, not ORM objects: the console's fleet page reads this for every kiosk at every refresh.
        beats = {r.kiosk: r for r in s.execute(select(HeartbeatRow.kiosk, HeartbeatRow.received_at,
                                                      HeartbeatRow.clock_skew_s, HeartbeatRow.body))}
        kiosks: dict[str, dict[str, Any]] = {}
        for row in s.execute(select(KioskRow.name, KioskRow.state, KioskRow.duplicates_refused)):
            beat = beats.get(row.name)
            body = (beat.body or {}) if beat else {}
            kiosks[row.name] = {
                "state": STATE_NAMES.get(row.state, row.state),
                "transactions": counts.get(row.name, 0) if counts is not None else None,
                "duplicates_refused": row.duplicates_refused,
                "help_requests_open": open_help.get(row.name, 0),
                "last_heartbeat": beat.received_at if beat else None,
                "last_heartbeat_age_s": round(max(0.0, now - beat.received_at), 1) if beat else None,
                "clock_skew_s": round(beat.clock_skew_s, 3) if beat else None,
                "backlog": body.get("backlog"),
                "oldest_pending_age_s": body.get("oldest_pending_age_s"),
                "dead_letters": body.get("dead_letters"),
                "last_error": body.get("last_error"),
                "software_version": body.get("software_version"),
                "catalog_version": body.get("catalog_version"),
                "catalog_expired": body.get("catalog_expired"),
                "catalog_refusal": ((body.get("catalog_refused") or {}).get("reason") or None),
                "catalog_source": body.get("catalog_source"),
                "catalog_fallback": body.get("catalog_fallback"),
                "devices": body.get("devices") if beat else None,
                "host_uptime_s": body.get("host_uptime_s"),
                "shell_uptime_s": body.get("shell_uptime_s"),
                # the conditions keeping it out of service as it last said (a corrupt database among them)
                "out_of_service": list(body.get("out_of_service") or []) if beat else None,
            }
    return kiosks


def district_stats(engine: Engine, now: float | None = None) -> dict[str, Any]:
    """{"kiosks": kiosk_overview(), "transactions", "duplicates_refused", "help_requests_open",
    "backlog_reported", "dead_letters_reported"} (the last two: sums of what kiosks reported)."""
    kiosks = kiosk_overview(engine, now)
    return {"kiosks": kiosks, "transactions": sum(k["transactions"] for k in kiosks.values()),
            "duplicates_refused": sum(k["duplicates_refused"] for k in kiosks.values()),
            "help_requests_open": _open_help_total(engine),
            "backlog_reported": sum(k["backlog"] or 0 for k in kiosks.values()),
            "dead_letters_reported": sum(k["dead_letters"] or 0 for k in kiosks.values())}


def _open_help_total(engine: Engine) -> int:
    # Counted on its own: a help request may name a kiosk the registry no longer lists.
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(HelpRequestRow).where(HelpRequestRow.state == "open")) or 0
