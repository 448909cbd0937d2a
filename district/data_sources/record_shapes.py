"""The record shapes the kiosk's service modules read, checked before a record leaves the district.

`social-insurance` is what kiosk.services.builtin.social_insurance reads (district.demo_data.social_insurance_record
makes the same shape); every other kind is the generic record of kiosk.services.builtin.record_certificate
(district.demo_data.citizen_record). A mapped upstream answer that does not fit is SourceMalformed: the kiosk gets
a clear error instead of a certificate with holes.
"""

from __future__ import annotations

from typing import Any

from district.data_sources.interface import SOCIAL_INSURANCE, SourceMalformed

MONTH_NUMBERS = ("base", "pension_personal", "pension_employer", "medical_personal", "medical_employer",
                 "unemployment_personal")
MONTH_STATUSES = ("paid", "arrears")


def check_record(kind: str, record: Any) -> dict[str, Any]:
    """`record` completed where the shape allows (a total left out is summed) or SourceMalformed."""
    if not isinstance(record, dict):
        raise SourceMalformed(f"{kind}: the mapped record is not an object")
    if kind == SOCIAL_INSURANCE:
        return _social_insurance(record)
    return _generic(kind, record)


def _social_insurance(record: dict[str, Any]) -> dict[str, Any]:
    for key in ("employer", "insured_since"):
        if not isinstance(record.get(key), str) or not record[key]:
            raise SourceMalformed(f"social-insurance: {key} missing")
    kinds = record.get("insurance_types", [])
    if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
        raise SourceMalformed("social-insurance: insurance_types must be a list of names")
    months = record.get("months")
    if not isinstance(months, list):
        raise SourceMalformed("social-insurance: months must be a list")
    for n, row in enumerate(months):
        if not isinstance(row, dict) or not isinstance(row.get("month"), str):
            raise SourceMalformed(f"social-insurance: months[{n}].month missing")
        for key in MONTH_NUMBERS:
            if isinstance(row.get(key), bool) or not isinstance(row.get(key), int | float):
                raise SourceMalformed(f"social-insurance: months[{n}].{key} is not a number")
        if row.get("status") not in MONTH_STATUSES:
            raise SourceMalformed(f"social-insurance: months[{n}].status must be paid or arrears")
    months.sort(key=lambda row: row["month"])  # the certificate reads oldest first, whatever the upstream's order
    if "total_personal" not in record:
        record["total_personal"] = round(sum(r["pension_personal"] + r["medical_personal"] + r["unemployment_personal"]
                                             for r in months), 2)
    elif isinstance(record["total_personal"], bool) or not isinstance(record["total_personal"], int | float):
        raise SourceMalformed("social-insurance: total_personal is not a number")
    return record


def _generic(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    record.setdefault("record_type", kind)
    for key in ("title_zh", "title_en"):
        if not isinstance(record.get(key), str):
            raise SourceMalformed(f"{kind}: {key} missing")
    for key in ("fields", "summary"):
        pairs = record.setdefault(key, [])
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise SourceMalformed(f"{kind}: {key} must be a list of [label, value] pairs")
        record[key] = [[str(a), str(b)] for a, b in pairs]
    columns = record.setdefault("columns", [])
    if not isinstance(columns, list) or not all(isinstance(c, list) and len(c) == 4 for c in columns):
        raise SourceMalformed(f"{kind}: columns must be a list of [zh, en, width, align]")
    rows = record.setdefault("rows", [])
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) == len(columns) for r in rows):
        raise SourceMalformed(f"{kind}: every row must have one cell per column")
    record["rows"] = [[str(cell) for cell in row] for row in rows]
    return record
