"""Routing a kiosk's record request to the source that holds that kind of record, through bounded retries and
the source's circuit breaker, with one audit row per request (district.models.DataSourceAuditRow)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from contract.privacy import holder_digest, mask_document_number
from district.data_sources.circuit_breaker import BreakerState, CircuitBreaker
from district.data_sources.interface import (
    CircuitOpen,
    CitizenDataSource,
    RecordRequest,
    SourceError,
)
from district.data_sources.record_shapes import check_record
from district.data_sources.registry import ConfiguredSource, SourcesConfigError
from district.data_sources.retry import MIN_TRY_S, RetryPolicy
from district.models import DataSourceAuditRow


class NoSourceForKind(LookupError):
    """No configured source answers this kind of record."""


@dataclass
class _Route:
    source: CitizenDataSource
    retry: RetryPolicy
    breaker: CircuitBreaker


class CitizenDataGateway:
    def __init__(self, sources: Iterable[ConfiguredSource], engine: Engine, holder_secret: Callable[[], bytes],
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 wall_clock: Callable[[], float] = time.time) -> None:
        self._engine = engine
        self._holder_secret = holder_secret
        self._clock = clock
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._routes: dict[str, _Route] = {}
        self._sources: list[CitizenDataSource] = []
        for configured in sources:
            route = _Route(configured.source, configured.retry, CircuitBreaker(configured.breaker, clock))
            self._sources.append(configured.source)
            for kind in configured.source.kinds():
                if kind in self._routes:
                    raise SourcesConfigError(f"record kind {kind!r} is served by both "
                                             f"{self._routes[kind].source.name!r} and {configured.source.name!r}")
                self._routes[kind] = route

    def kinds(self) -> frozenset[str]:
        return frozenset(self._routes)

    def breaker_states(self) -> dict[str, BreakerState]:
        """Each source's circuit state, by source name."""
        return {route.source.name: route.breaker.state for route in self._routes.values()}

    def fetch(self, request: RecordRequest, kiosk: str) -> dict[str, Any]:
        """The record, or NoSourceForKind / a SourceError subclass (after retries); audited either way."""
        route = self._routes.get(request.kind)
        if route is None:
            raise NoSourceForKind(request.kind)
        started = self._clock()
        attempts = 0
        try:
            wait = route.breaker.acquire()
            if wait > 0:
                raise CircuitOpen(f"circuit open for {wait:.1f} s more", wait)
            record, attempts = self._with_retries(route, request, started)
        except SourceError as exc:
            self._audit(request, kiosk, route.source.name, exc.outcome, exc.attempts, started,
                        exc.detail.replace(request.document_number, mask_document_number(request.document_number)))
            raise
        except Exception as exc:  # an adapter's bug: audited as such, then the server's 500
            self._audit(request, kiosk, route.source.name, "error", 1, started, type(exc).__name__)
            raise
        self._audit(request, kiosk, route.source.name, "ok", attempts, started, "")
        return record

    def _with_retries(self, route: _Route, request: RecordRequest, started: float) -> tuple[dict[str, Any], int]:
        policy = route.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                budget = policy.deadline_s - (self._clock() - started)
                record = check_record(request.kind, route.source.fetch(request, budget))
            except SourceError as exc:
                exc.attempts = attempt
                delay = policy.delay_before(attempt + 1)
                budget_left = policy.deadline_s - (self._clock() - started)
                if exc.retryable and attempt < policy.attempts and budget_left - delay >= MIN_TRY_S:
                    self._sleep(delay)
                    continue
                if exc.counts_against_source:
                    route.breaker.record_failure()
                else:
                    route.breaker.release()
                raise
            except Exception:
                route.breaker.record_failure()  # an adapter bug is the source's failure too, and must surface
                raise
            route.breaker.record_success()
            return record, attempt

    def _audit(self, request: RecordRequest, kiosk: str, source: str, outcome: str, attempts: int, started: float,
               detail: str) -> None:
        row = DataSourceAuditRow(at=self._wall_clock(), kiosk=kiosk[:64], source=source, record_kind=request.kind[:64],
                                 holder=holder_digest(self._holder_secret(), request.document_number),
                                 outcome=outcome, attempts=attempts,
                                 latency_ms=round((self._clock() - started) * 1000.0, 1), detail=detail[:200])
        with Session(self._engine) as s, s.begin():
            s.add(row)

    def close(self) -> None:
        for source in self._sources:
            source.close()

