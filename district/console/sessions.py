"""Server-side console sessions: the browser holds a random token in a cookie; the database holds its SHA-256,
who it belongs to and the session's CSRF token, so every server process sharing the database shares sessions."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Engine, delete, update
from sqlalchemy.orm import Session

from district.console.accounts import Operator, _operator
from district.console.models import OperatorRow, OperatorSessionRow
from district.database import reader

COOKIE = "kiosk_console"
_TOUCH_EVERY_S = 30.0  # last_seen_at is written at most this often (one write per page view would be wasteful)


@dataclass(frozen=True)
class ConsoleSession:
    operator: Operator
    csrf_token: str

    def csrf_ok(self, presented: str | None) -> bool:
        return bool(presented) and hmac.compare_digest(self.csrf_token, presented or "")


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(engine: Engine, operator: str, now: float | None = None) -> str:
    """A new session for `operator`; returns the cookie token (only its hash is stored)."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    with Session(engine) as s, s.begin():
        s.add(OperatorSessionRow(token_sha256=_sha(token), operator=operator, csrf_token=secrets.token_urlsafe(32),
                                 created_at=now, last_seen_at=now))
    return token


def find_session(engine: Engine, token: str | None, idle_s: float, now: float | None = None) -> ConsoleSession | None:
    """The live session of cookie `token`, or None (unknown, idle too long, or its operator disabled)."""
    if not token:
        return None
    now = time.time() if now is None else now
    key = _sha(token)
    # Read without the write lock (every page view does this; SQLite writers queue): write only when needed.
    with Session(reader(engine)) as s:
        row = s.get(OperatorSessionRow, key)
        if row is None:
            return None
        operator = s.get(OperatorRow, row.operator)
        live = operator is not None and not operator.disabled and now - row.last_seen_at <= idle_s
        found = ConsoleSession(_operator(operator), row.csrf_token) if live and operator is not None else None
        stale = live and now - row.last_seen_at > _TOUCH_EVERY_S
    if found is None:
        with Session(engine) as s, s.begin():
            s.execute(delete(OperatorSessionRow).where(OperatorSessionRow.token_sha256 == key))
    elif stale:
        with Session(engine) as s, s.begin():
            s.execute(update(OperatorSessionRow).where(OperatorSessionRow.token_sha256 == key)
                      .values(last_seen_at=now))
    return found


def close_session(engine: Engine, token: str | None) -> None:
    if token:
        with Session(engine) as s, s.begin():
            s.execute(delete(OperatorSessionRow).where(OperatorSessionRow.token_sha256 == _sha(token)))
