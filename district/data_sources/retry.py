"""Bounded retries with exponential backoff, inside an overall deadline.

The kiosk waits at most ~4 s for the district (kiosk.link.district_client), so a fetch, retries included, must
give up before that: the deadline, not the attempt count, is what bounds a citizen's wait. Each try gets what is
left of it (at most the adapter's own timeout), and no retry starts with less than MIN_TRY_S left.
"""

from __future__ import annotations

from dataclasses import dataclass

MIN_TRY_S = 0.1  # a retry with less time than this left before the deadline would only add load


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3  # tries in total, the first included
    backoff_s: float = 0.2  # wait before the 2nd try; doubles each time
    max_backoff_s: float = 1.0
    deadline_s: float = 3.0  # the whole fetch, retries and backoff included, ends by then

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
