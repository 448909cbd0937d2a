"""The staff queue: kiosks' help requests with their console state (open, acknowledged, resolved, or the assisted
verification's verdict), read from district.assisted_verification plus the console's own marks."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from district.assisted_verification import RequestNotFound, list_requests
from district.console.models import HelpMarkRow
from district.models import HelpRequestRow

ACKNOWLEDGED, RESOLVED = "acknowledged", "resolved"
MARKS = (ACKNOWLEDGED, RESOLVED)


def queue(engine: Engine, only_open: bool = False, kiosk: str | None = None) -> list[dict[str, Any]]:
    """Help requests newest first, each with `console_state` and `marked_by`. Only what the queue needs: no
    masked document number, no session challenge."""
    requests = list_requests(engine)
    with Session(engine) as s:
        marks = {m.request_id: m for m in s.scalars(select(HelpMarkRow).order_by(HelpMarkRow.id))}
    out = []
    for r in reversed(requests):
        if kiosk is not None and r["kiosk"] != kiosk:
            continue
        mark = marks.get(r["id"])
        state = r["state"]
        if state == "open" and mark is not None:
            state = mark.mark
        if only_open and state not in ("open", ACKNOWLEDGED):
            continue
        out.append({"id": r["id"], "kiosk": r["kiosk"], "received_at": r["received_at"], "kind": r["kind"],
                    "step": r["step"], "item_id": r["item_id"], "reason": r["reason"], "console_state": state,
                    "decided_by": r["decided_by"] or (mark.by if mark else None)})
    return out


def add_mark(engine: Engine, request_id: int, mark: str, by: str) -> str:
    """Acknowledge or resolve request `request_id`; returns its kiosk. RequestNotFound; ValueError otherwise."""
    if mark not in MARKS:
        raise ValueError(f"mark {mark!r}: one of {', '.join(MARKS)}")
    with Session(engine) as s, s.begin():
        request = s.get(HelpRequestRow, request_id)
        if request is None:
            raise RequestNotFound(f"no help request {request_id}")
        s.add(HelpMarkRow(request_id=request_id, mark=mark, by=by, at=time.time()))
        return request.kiosk
