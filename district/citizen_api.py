"""Citizen-data endpoints the service modules call.

Records come from the departments' systems through the data-source gateway (district.data_sources,
docs/data-sources.md; with `--demo` the demo data is one more source); applications, appointments and status are
answered from `demo_data` with `--demo`, and with 404 otherwise. Document signing, the certificate register
and the public verification page are real in both modes: see district.document_api.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from district import demo_data
from district.data_sources.endpoint import answer_record
from district.data_sources.interface import SOCIAL_INSURANCE

router = APIRouter(tags=["citizen data"])
CITIZEN = "/api/v1/citizen"


def _require_demo(request: Request) -> None:
    if not request.app.state.settings.demo:
        raise HTTPException(status_code=404, detail="no citizen data source configured (start with --demo)")


async def _require_kiosk(request: Request) -> None:
    """Signed kiosk requests only (district.auth). A demo server also serves unsigned requests (kiosks that
    did not enroll), but a request that carries a kiosk signature is always checked."""
    from contract.request_signing import HEADER_KIOSK

    state = request.app.state
    if not hasattr(state, "verifier"):
        return
    if state.settings.demo and HEADER_KIOSK.lower() not in {k.lower() for k in request.headers}:
        return
    from district.auth import authenticated_kiosk

    await authenticated_kiosk(request)


@router.get(f"{CITIZEN}/social-insurance/record")
async def social_insurance_record(request: Request, document_number: str = Query(min_length=5, max_length=32),
                                  months: int = Query(36, ge=1, le=120)) -> dict:
    """The holder's contribution record for the last `months` months (from the configured data source)."""
    return await answer_record(request, SOCIAL_INSURANCE, document_number, months)


@router.get(f"{CITIZEN}/records/{{record_type}}")
async def citizen_record(request: Request, record_type: str,
                         document_number: str = Query(min_length=5, max_length=32),
                         months: int = Query(12, ge=1, le=60)) -> dict:
    """A record for the generic record certificate (housing fund deposits, tax paid, registrations, ...)."""
    return await answer_record(request, record_type, document_number, months)


class ApplicationIn(BaseModel):
    type: str = Field(min_length=1, max_length=64)
    document_number: str = Field(min_length=5, max_length=32)
    holder_name: str = Field(default="", max_length=64)
    fields: dict[str, str] = Field(default_factory=dict)
    kiosk_id: str = Field(default="", max_length=64)


@router.post(f"{CITIZEN}/applications")
def submit_application(request: Request, body: ApplicationIn) -> dict:
    """Accept an application form; answers its application number and the promised processing time."""
    _require_demo(request)
    return demo_data.accept_application(body.type, body.document_number, body.fields)


@router.post(f"{CITIZEN}/requests")
async def submit_queued_request(request: Request) -> dict:
    """A request a kiosk accepted while offline (the `request` of a queued transaction), submitted later."""
    await _require_kiosk(request)
    _require_demo(request)
    try:
        body: Any = await request.json()
    except ValueError:
        raise HTTPException(422, "body is not JSON") from None
    if not isinstance(body, dict) or not body.get("type") or not body.get("document_number"):
        raise HTTPException(422, "a queued request needs type and document_number")
    return demo_data.accept_application(str(body["type"]), str(body["document_number"]),
                                        {k: str(v) for k, v in body.items() if k not in ("document_number",)})


@router.get(f"{CITIZEN}/appointments/slots")
def appointment_slots(request: Request, service: str = Query(min_length=1, max_length=64),
                      date: str = Query(pattern=r"^\d{4}-\d{2}-\d{2}$")) -> dict:
    """Free appointment periods of one service on one day."""
    _require_demo(request)
    return {"service": service, "date": date, "slots": demo_data.appointment_slots(service, date)}


class AppointmentIn(BaseModel):
    service: str = Field(min_length=1, max_length=64)
    document_number: str = Field(min_length=5, max_length=32)
    date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")
    period: str = Field(min_length=1, max_length=16)
    phone: str = Field(default="", max_length=20)


@router.post(f"{CITIZEN}/appointments")
def book_appointment(request: Request, body: AppointmentIn) -> dict:
    """Book a counter appointment; 409 when the period is full or the day is closed."""
    _require_demo(request)
    booking = demo_data.book_appointment(body.service, body.document_number, body.date, body.period)
    if booking is None:
        raise HTTPException(409, "no free appointment in that period")
    return booking


@router.get(f"{CITIZEN}/status")
def application_status(request: Request, type: str = Query(min_length=1, max_length=64),
                       document_number: str = Query(min_length=5, max_length=32),
                       reference: str = Query("", max_length=40)) -> dict:
    """Progress of the holder's latest application of one type (or of `reference`)."""
    _require_demo(request)
    return demo_data.application_status(type, document_number, reference)
