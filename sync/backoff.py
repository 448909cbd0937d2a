"""Exponential backoff with full jitter and a cap, honouring the server's Retry-After."""

from __future__ import annotations

import random


class Backoff:
    """Delays base*2^n, each drawn uniformly from [delay/2, delay] (jitter spreads a fleet's retries), capped."""

    def __init__(self, base_s: float, cap_s: float, rng: random.Random | None = None) -> None:
        self._base = base_s
        self._cap = cap_s
        self._rng = rng or random.Random()
        self.failures = 0

    def next_delay(self, retry_after_s: float | None = None) -> float:
        """The delay before the next attempt after one more failure."""
        ceiling = min(self._cap, self._base * (2 ** min(self.failures, 30)))
        self.failures += 1
        delay = self._rng.uniform(ceiling / 2, ceiling)
        if retry_after_s is not None:
            delay = max(delay, min(retry_after_s, self._cap))
        return delay

    def reset(self) -> None:
        """Back to the base delay (after a success, or when the network came back)."""
        self.failures = 0
