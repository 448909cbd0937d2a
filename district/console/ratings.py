"""Citizens' satisfaction on the kiosk page: how many transactions were rated good or bad on the Done screen, per
day and per item over the last 30 days. Counts only: the rating rides on the transaction's payload
(contract.transactions.TransactionItem.rating; a late one is added at ingest, district.ingest), and nothing of the
transaction but its item, its day and that word is read here."""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from district.models import ReceivedTransactionRow

DAYS = 30


@dataclass(frozen=True)
class RatingCount:
    label: str  # the UTC day (YYYY-MM-DD) or the item id
    good: int
    bad: int

    @property
    def rated(self) -> int:
        return self.good + self.bad

    @property
    def good_share(self) -> float | None:
        """Good ratings among rated transactions (None with none rated)."""
        return self.good / self.rated if self.rated else None

    def as_json(self) -> dict[str, object]:
        return {"good": self.good, "bad": self.bad,
                "good_share": round(self.good_share, 4) if self.good_share is not None else None}


@dataclass(frozen=True)
class Ratings:
    per_day: list[RatingCount]  # newest day first
    per_item: list[RatingCount]  # most rated first
    total: RatingCount

    def as_json(self) -> dict[str, object]:
        return {"days": DAYS, "total": self.total.as_json(),
                "per_day": {r.label: r.as_json() for r in self.per_day},
                "per_item": {r.label: r.as_json() for r in self.per_item}}


def kiosk_ratings(engine: Engine, kiosk: str, now: float | None = None) -> Ratings:
    """The kiosk's ratings of transactions received in the last DAYS days (bucketed by the server's UTC day)."""
    now = time.time() if now is None else now
    since = now - DAYS * 86400
    rating = ReceivedTransactionRow.payload["rating"].as_string()
    with Session(engine) as s:
        rows = s.execute(select(ReceivedTransactionRow.received_at, ReceivedTransactionRow.item_id, rating)
                         .where(ReceivedTransactionRow.kiosk == kiosk, ReceivedTransactionRow.received_at >= since,
                                rating.in_(("good", "bad")))).all()
    days: Counter[tuple[str, str]] = Counter()
    items: Counter[tuple[str, str]] = Counter()
    for received_at, item, word in rows:
        days[(dt.datetime.fromtimestamp(received_at, dt.UTC).date().isoformat(), word)] += 1
        items[(item, word)] += 1

    def counts(counter: Counter[tuple[str, str]]) -> list[RatingCount]:
        labels = sorted({label for label, _ in counter})
        return [RatingCount(label, counter[(label, "good")], counter[(label, "bad")]) for label in labels]

    per_day = sorted(counts(days), key=lambda r: r.label, reverse=True)
    per_item = sorted(counts(items), key=lambda r: (-r.rated, r.label))
    good = sum(r.good for r in per_item)
    return Ratings(per_day, per_item, RatingCount("", good, sum(r.bad for r in per_item)))
