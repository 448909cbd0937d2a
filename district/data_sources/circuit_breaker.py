"""A circuit breaker per data source: closed -> open after N consecutive failures -> half-open after a cool-down.

While open, the source is not asked at all (a department's system that is down must not make every citizen wait
for its timeouts, nor be hammered while it recovers). After `reset_after_s` one trial request is let through
(half-open): its success closes the circuit, its failure opens it again for another `reset_after_s`.
State lives in this server process (with several workers each has its own breaker).
"""

from __future__ import annotations

import enum
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


class BreakerState(enum.Enum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half-open"


@dataclass(frozen=True)
class BreakerPolicy:
    failure_threshold: int = 5  # consecutive failed fetches (each after its retries) that open the circuit
    reset_after_s: float = 30.0  # how long the circuit stays open before one trial request

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError("breaker.failure_threshold must be at least 1")
        if self.reset_after_s <= 0:
            raise ValueError("breaker.reset_after_s must be positive")


class CircuitBreaker:
    def __init__(self, policy: BreakerPolicy, clock: Callable[[], float] = time.monotonic) -> None:
        self._policy = policy
        self._clock = clock
        self._lock = threading.Lock()
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0
        self._trial_running = False

    @property
    def state(self) -> BreakerState:
        with self._lock:
            self._advance()
            return self._state

    def acquire(self) -> float:
        """0.0 when a request may go to the source now, else the seconds until the next trial may."""
        with self._lock:
            self._advance()
            if self._state is BreakerState.CLOSED:
                return 0.0
            if self._state is BreakerState.HALF_OPEN and not self._trial_running:
                self._trial_running = True  # exactly one trial at a time; the others are refused as if open
                return 0.0
            return max(0.001, self._opened_at + self._policy.reset_after_s - self._clock())

    def record_success(self) -> None:
        with self._lock:
            self._state = BreakerState.CLOSED
            self._failures = 0
            self._trial_running = False

    def record_failure(self) -> None:
        with self._lock:
            self._advance()
            if self._state is BreakerState.HALF_OPEN:
                self._open()
                return
            self._failures += 1
            if self._failures >= self._policy.failure_threshold:
                self._open()

    def release(self) -> None:
        """A request that neither succeeded nor failed against the source (e.g. not found) ends its trial."""
        with self._lock:
            if self._state is BreakerState.HALF_OPEN and self._trial_running:
                self._state = BreakerState.CLOSED
                self._failures = 0
            self._trial_running = False

    def _open(self) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = self._clock()
        self._trial_running = False

    def _advance(self) -> None:
        if self._state is BreakerState.OPEN and self._clock() - self._opened_at >= self._policy.reset_after_s:
            self._state = BreakerState.HALF_OPEN
