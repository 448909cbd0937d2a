"""Rate limits that every server process shares: token buckets kept in the district database.

A limit held in one process's memory is multiplied by the number of processes behind the reverse proxy, and a
kiosk that lands on another process starts with a full bucket. Here each bucket is a row (`rate_buckets`), updated
by one atomic upsert: the row lock makes concurrent takes from several processes (or machines) queue on it, so
the limit holds fleet-wide. The server's wall clock dates the refills (monotonic clocks are per machine); a clock
behind the row's last update refills nothing instead of going negative.

`take(session, key)` draws in the caller's transaction, so an endpoint that writes anyway pays no extra commit;
`take_now(key)` uses its own short transaction.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from sqlalchemy import Engine, delete, select, text
from sqlalchemy.orm import Session

from district.models import RateBucketRow

# ON CONFLICT ... DO UPDATE ... WHERE: when the refilled bucket holds less than one token the row is left as it
# was and nothing is returned (refused). Both PostgreSQL and SQLite (>= 3.35) speak this; only the names of the
# two-argument minimum and maximum differ.
_TAKE = """
INSERT INTO rate_buckets (key, tokens, updated_at) VALUES (:key, :burst - 1, :now)
ON CONFLICT (key) DO UPDATE SET
    tokens = {least}(:burst, rate_buckets.tokens + {greatest}(0, :now - rate_buckets.updated_at) * :rate) - 1,
    updated_at = {greatest}(rate_buckets.updated_at, :now)
WHERE {least}(:burst, rate_buckets.tokens + {greatest}(0, :now - rate_buckets.updated_at) * :rate) >= 1
RETURNING tokens
"""
TAKE_POSTGRESQL_SQL = _TAKE.format(least="LEAST", greatest="GREATEST")  # also a CTE of district.heartbeats
_TAKE_POSTGRESQL = text(TAKE_POSTGRESQL_SQL)
_TAKE_SQLITE = text(_TAKE.format(least="min", greatest="max"))


class SharedRateLimiter:
    """A token bucket per key (`rate_per_s` sustained, `burst` at most), stored under `<prefix>:<key>`."""

    def __init__(self, engine: Engine, prefix: str, rate_per_s: float, burst: int,
                 clock: Callable[[], float] = time.time) -> None:
        if rate_per_s <= 0 or burst < 1:
            raise ValueError("a rate limit needs a positive rate and a burst of at least 1")
        self._engine = engine
        self._prefix = prefix
        self._rate = float(rate_per_s)
        self._burst = float(burst)
        self._clock = clock
        self._statement = _TAKE_POSTGRESQL if engine.dialect.name == "postgresql" else _TAKE_SQLITE
        self._own_takes = 0

    def take(self, s: Session, key: str) -> float:
        """Take one token of `key`'s bucket in `s`'s transaction: 0.0 when the request may proceed, else the
        seconds until a token will be there (nothing is taken then)."""
        now = self._clock()
        if s.execute(self._statement, self.take_parameters(key, now)).first() is not None:
            return 0.0
        return self.wait(s, key, now)

    def now(self) -> float:
        return self._clock()

    def take_parameters(self, key: str, now: float) -> dict[str, float | str]:
        """The parameters of TAKE_POSTGRESQL_SQL (or the SQLite twin) taking a token of `key`'s bucket at `now`."""
        return {"key": f"{self._prefix}:{key}", "burst": self._burst, "rate": self._rate, "now": now}

    def wait(self, s: Session, key: str, now: float) -> float:
        """Seconds until `key`'s bucket, found without a whole token at `now`, has one again."""
        bucket = f"{self._prefix}:{key}"
        row = s.execute(select(RateBucketRow.tokens, RateBucketRow.updated_at)
                        .where(RateBucketRow.key == bucket)).first()
        tokens = self._burst if row is None else min(self._burst,
                                                     row.tokens + max(0.0, now - row.updated_at) * self._rate)
        return max((1.0 - tokens) / self._rate, 0.001)

    def take_now(self, key: str) -> float:
        """`take` in a transaction of its own (and, every 1000 calls, `prune` after it)."""
        with Session(self._engine) as s, s.begin():
            wait = self.take(s, key)
        self._own_takes += 1
        if self._own_takes % 1000 == 0:
            self.prune()
        return wait

    def prune(self) -> None:
        """Delete the buckets untouched for longer than a full refill: they are full again, so their rows say
        nothing a new row would not. Call it outside any transaction (it deletes other keys' rows)."""
        now = self._clock()
        full_after = self._burst / self._rate
        with Session(self._engine) as s, s.begin():
            s.execute(delete(RateBucketRow).where(RateBucketRow.key.startswith(f"{self._prefix}:"),
                                                  RateBucketRow.updated_at < now - full_after - 1.0))
