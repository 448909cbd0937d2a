"""The demo data (district.demo_data) as a data source: what `kiosk-district serve --demo` answers records from,
through the same gateway (audit, breaker) as a department's system."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from district import demo_data
from district.data_sources.interface import SOCIAL_INSURANCE, RecordNotFound, RecordRequest, SourceMalformed


class DemoSource:
    """Deterministic records for any identity: every kind demo_data knows, or the `records` listed."""

    def __init__(self, name: str = "demo", kinds: frozenset[str] | None = None) -> None:
        known = frozenset({SOCIAL_INSURANCE, *demo_data.RECORD_TYPES})
        self.name = name
        self._kinds = known if kinds is None else kinds
        unknown = self._kinds - known
        if unknown:
            raise ValueError(f"source {name!r}: the demo data has no records of kind {', '.join(sorted(unknown))}")

    @classmethod
    def from_config(cls, name: str, options: Mapping[str, Any], config_dir: Path) -> DemoSource:
        records = options.get("records")
        if records is not None and (not isinstance(records, list) or not all(isinstance(r, str) for r in records)):
            raise ValueError(f"source {name!r}: records must be a list of record kinds")
        return cls(name, frozenset(records) if records is not None else None)

    def kinds(self) -> frozenset[str]:
        return self._kinds

    def fetch(self, request: RecordRequest, budget_s: float) -> dict[str, Any]:
        if request.kind == SOCIAL_INSURANCE:
            return demo_data.social_insurance_record(request.document_number, request.months)
        record = demo_data.citizen_record(request.kind, request.document_number, request.months)
        if record is None:  # only for kinds the gateway should not have routed here
            raise RecordNotFound(f"no demo records of kind {request.kind!r}")
        if not isinstance(record, dict):
            raise SourceMalformed("demo data answered a non-object")
        return record

    def close(self) -> None:
        pass
