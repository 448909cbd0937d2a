"""What a citizen-data source is (a typing.Protocol) and the typed outcomes of asking one.

An adapter only answers one request once; timeouts of its own transport are its business, but retries, the
circuit breaker and the audit trail are the gateway's (district.data_sources.gateway), so every adapter gets them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

SOCIAL_INSURANCE = "social-insurance"  # the record kind of the social-insurance contribution certificate


@dataclass(frozen=True)
class RecordRequest:
    """One citizen's record of one kind, as a kiosk asked for it."""

    kind: str  # "social-insurance" or a generic record type ("housing-fund-deposit", ...)
    document_number: str
    months: int

    def __repr__(self) -> str:  # a request must never print the ID number in clear (logs, tracebacks)
        return f"RecordRequest(kind={self.kind!r}, months={self.months})"


class SourceError(Exception):
    """A source could not answer with a record. `outcome` is the audit trail's word for it."""

    outcome = "error"
    retryable = False  # worth asking again (transport failure, 5xx)
    counts_against_source = True  # a failure of the source itself (feeds the circuit breaker)

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail  # never carries the ID number: adapters build it from status codes and type names
        self.attempts = 0  # how many times the source was asked (set by the gateway)


class RecordNotFound(SourceError):
    """The source answered, and it holds no such record for this citizen (not a failure of the source)."""

    outcome = "not-found"
    counts_against_source = False


class SourceUnavailable(SourceError):
    """Timeout, connection refused, 5xx, 429: the source may answer later."""

    outcome = "unavailable"
    retryable = True


class SourceMalformed(SourceError):
    """The source answered something that is not the record it promised (bad JSON, a field missing or mistyped)."""

    outcome = "malformed"


class SourceRefused(SourceError):
    """The source refused the district's request (4xx other than 404): a configuration or credentials problem."""

    outcome = "refused"


class CircuitOpen(SourceError):
    """The circuit breaker of this source is open: not asked at all."""

    outcome = "circuit-open"

    def __init__(self, detail: str, retry_after_s: float) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


@runtime_checkable
class CitizenDataSource(Protocol):
    """A departmental system that answers citizens' records of some kinds, in the shapes the kiosk's service
    modules expect (district.data_sources.record_shapes)."""

    name: str  # the configured source name, as in the audit trail

    def kinds(self) -> frozenset[str]:
        """The record kinds this source answers."""
        ...

    def fetch(self, request: RecordRequest, budget_s: float) -> dict[str, Any]:
        """One attempt at the record, to end within `budget_s` seconds (what is left of the fetch's deadline;
        an adapter's own timeout may be shorter); raises a SourceError subclass when there is none to give."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


class SourceFactory(Protocol):
    """What an entry point of the `kiosk_district.data_sources` group loads: builds a source from its
    configuration table (`config_dir` resolves relative paths, e.g. certificates)."""

    def __call__(self, name: str, options: Mapping[str, Any], config_dir: Any) -> CitizenDataSource: ...
