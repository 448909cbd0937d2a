"""The circuit breaker's states on a controlled clock: closed -> open at the threshold -> half-open after the
cool-down -> closed on a successful trial, open again on a failed one."""

from __future__ import annotations

import pytest

from district.data_sources.circuit_breaker import BreakerPolicy, BreakerState, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_opens_after_threshold_consecutive_failures_only():
    clock = Clock()
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=3, reset_after_s=10.0), clock)
    breaker.record_failure()
    breaker.record_failure()
    breaker.record_success()  # a success in between resets the count
    breaker.record_failure()
    breaker.record_failure()
    assert breaker.state is BreakerState.CLOSED and breaker.acquire() == 0.0
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    clock.now += 4.0
    assert breaker.acquire() == pytest.approx(6.0)


def test_half_open_lets_exactly_one_trial_through():
    clock = Clock()
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=1, reset_after_s=10.0), clock)
    breaker.record_failure()
    clock.now += 10.0
    assert breaker.state is BreakerState.HALF_OPEN
    assert breaker.acquire() == 0.0  # the trial
    assert breaker.acquire() > 0.0  # a second request while the trial runs is refused
    breaker.record_success()
    assert breaker.state is BreakerState.CLOSED and breaker.acquire() == 0.0


def test_a_failed_trial_opens_for_a_full_period_again():
    clock = Clock()
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=2, reset_after_s=5.0), clock)
    breaker.record_failure()
    breaker.record_failure()
    clock.now += 5.0
    assert breaker.acquire() == 0.0
    breaker.record_failure()
    assert breaker.state is BreakerState.OPEN
    assert breaker.acquire() == pytest.approx(5.0)


def test_a_trial_that_ends_without_verdict_closes_the_circuit():
    clock = Clock()
    breaker = CircuitBreaker(BreakerPolicy(failure_threshold=1, reset_after_s=1.0), clock)
    breaker.record_failure()
    clock.now += 1.0
    assert breaker.acquire() == 0.0
    breaker.release()  # e.g. the source answered "no such record": it is up
    assert breaker.state is BreakerState.CLOSED


@pytest.mark.parametrize("kw", [{"failure_threshold": 0}, {"reset_after_s": 0}])
def test_policies_that_cannot_work_are_refused(kw):
    with pytest.raises(ValueError):
        BreakerPolicy(**kw)
