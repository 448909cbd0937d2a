"""The heartbeat offers of one server process, kept while nothing they depend on changes.

Every heartbeat answer names the catalog its kiosk is offered (district.catalog_rollout.offer_in). Reading the
rollouts, the stage's group and the signed metadata on each of 5,000 kiosks' beats every 30 s cost a third of a
beat's database work, for an answer that changes a few times a year. The database keeps a counter that every
write to those tables moves, in the writer's transaction (migration 0010's triggers); a heartbeat reads it in its
own transaction and uses the state cached for that value, or reads the state afresh. So a change committed by any
process or command is offered at the very next beat, never later.
"""

from __future__ import annotations

import threading

from sqlalchemy import text
from sqlalchemy.orm import Session

from district.catalog_rollout import OfferState, offer_state
from district.tuf_repository import TufRepository

GENERATION = text("SELECT generation FROM catalog_offer_generation WHERE id = 1")


class OfferCache:
    """The OfferState of the newest generation seen; shared by a process's request threads."""

    def __init__(self, repository: TufRepository) -> None:
        self._repository = repository
        self._lock = threading.Lock()
        self._cached: tuple[int, OfferState] | None = None
        self.reads = 0  # how often the state was read from the database (tests, diagnostics)

    def state(self, s: Session, generation: int | None = None) -> OfferState:
        """The OfferState for `s`'s transaction. `generation`: the counter when the caller read it already, in
        this transaction, before any other read of it."""
        if generation is None:
            generation = s.execute(GENERATION).scalar_one()
        cached = self._cached
        if cached is not None and cached[0] == generation:
            return cached[1]
        # Read after the counter: what is read is at least as new as `generation` (under READ COMMITTED a later
        # statement may see a newer commit, whose own generation then misses this entry and reads again).
        state = offer_state(s, self._repository)
        with self._lock:
            self.reads += 1
            if self._cached is None or self._cached[0] <= generation:
                self._cached = (generation, state)
        return state
