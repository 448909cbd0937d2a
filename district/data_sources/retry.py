"""Bounded retries with exponential backoff, inside an overall deadline.

The kiosk waits at most ~4 s for the district (kiosk.link.district_client), so a fetch, retries included, must
give up before that: the deadline, not the attempt count, is what bounds a citizen's wait.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # tries in total, the first included
    backoff_s: float = 0.2  # wait before the 2nd try; doubles each time
    max_backoff_s: float = 1.0
    deadline_s: float = 3.0  # no new try starts when it could not finish before this (from the first try's start)

    def __post_init__(self) -> None:
        if self.attempts < 1 or self.attempts > 10:
            raise ValueError("retry.attempts must be between 1 and 10")
        if self.backoff_s < 0 or self.max_backoff_s < self.backoff_s:
            raise ValueError("retry.backoff_s must be >= 0 and <= retry.max_backoff_s")
        if self.deadline_s <= 0:
            raise ValueError("retry.deadline_s must be positive")

    def delay_before(self, attempt: int) -> float:
        """The wait before try number `attempt` (2, 3, ...)."""
        return min(self.max_backoff_s, self.backoff_s * 2 ** (attempt - 2))
