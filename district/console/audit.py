"""The console's append-only audit log: who did what to which kiosk, document, request or account, and when.

Written by console actions and `kiosk-district operator ...`; read by the audit page and exported as CSV or JSON.
The table refuses UPDATE and DELETE in the database itself (migration 0006).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import time
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from district.console.models import AuditRow

EXPORT_FIELDS = ("id", "at", "actor", "action", "target", "outcome", "detail")


def record(engine: Engine, actor: str, action: str, target: str = "", outcome: str = "ok",
           **detail: Any) -> None:
    """Append one entry. `detail` must hold no personal data (names are masked upstream, ID numbers never come)."""
    with Session(engine) as s, s.begin():
        s.add(AuditRow(at=time.time(), actor=actor[:64], action=action[:48], target=target[:128],
                       outcome=outcome[:16], detail=detail))


def entries(engine: Engine, target: str | None = None, actor: str | None = None, action: str | None = None,
            limit: int = 500) -> list[dict[str, Any]]:
    """The newest entries first. `target` also matches entries whose target starts with `target/` (a kiosk's
    help requests are targeted "KIOSK/help/ID")."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if target:
        query = query.where(or_(AuditRow.target == target, AuditRow.target.startswith(target + "/")))
    if actor:
        query = query.where(AuditRow.actor == actor)
    if action:
        query = query.where(AuditRow.action == action)
    with Session(engine) as s:
        return [{"id": r.id, "at": r.at, "actor": r.actor, "action": r.action, "target": r.target,
                 "outcome": r.outcome, "detail": dict(r.detail or {})} for r in s.scalars(query)]


def iso(t: float) -> str:
    return dt.datetime.fromtimestamp(t, dt.UTC).isoformat(timespec="seconds")


def to_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180
    writer.writerow(EXPORT_FIELDS)
    for r in rows:
        writer.writerow([r["id"], iso(r["at"]), r["actor"], r["action"], _csv_safe(r["target"]), r["outcome"],
                         _csv_safe(json.dumps(r["detail"], ensure_ascii=False, sort_keys=True))])
    return out.getvalue()


def _csv_safe(value: str) -> str:
    # A cell starting with = + - @ is a formula to spreadsheet programs: quote it out (OWASP CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
