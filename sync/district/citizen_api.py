"""Citizen-data endpoints the service modules call (social-insurance record, ...), backed by demo data.

A production district wires these to its departments' systems; the reference server answers from
`demo_data` when started with `--demo`, and with 404 otherwise.
"""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Request

from sync.district import demo_data

router = APIRouter(prefix="/api/v1/citizen", tags=["citizen data"])


def _require_demo(request: Request) -> None:
    if not request.app.state.settings.demo:
        raise HTTPException(status_code=404, detail="no citizen data source configured (start with --demo)")


@router.get("/social-insurance/record")
def social_insurance_record(request: Request, document_number: str = Query(min_length=5, max_length=32),
                            months: int = Query(36, ge=1, le=120)) -> dict:
    """The holder's contribution record for the last `months` months."""
    _require_demo(request)
    return demo_data.social_insurance_record(document_number, months)
