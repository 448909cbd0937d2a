"""Citizen-data endpoints the service modules call.

Records come from the departments' systems through the data-source gateway (district.data_sources,
docs/data-sources.md; with `--demo` the demo data is one more source); applications, appointments and status are
answered from `demo_data` with `--demo`, and with 404 otherwise. Document signing, the certificate register
and the public verification page are real in both modes: see district.document_api.

Every endpoint that signs or returns citizen data wants an enrolled, unrevoked kiosk's signature, demo or not.
ID numbers travel only in (signed) request bodies, never in a path or query string: URLs end up in proxy and
access logs.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import AfterValidator, BaseModel, Field

from district import demo_data
from district.api_errors import SIGNED, error_responses
from district.auth import AuthenticatedKiosk, authenticated_kiosk
from district.data_sources.endpoint import answer_record
from district.data_sources.interface import SOCIAL_INSURANCE

router = APIRouter(tags=["citizen data"])
CITIZEN = "/api/v1/citizen"


def _require_demo(request: Request) -> None:
    if not request.app.state.settings.demo:
        raise HTTPException(status_code=404, detail="no citizen data source configured (start with --demo)")


async def _require_kiosk(request: Request) -> AuthenticatedKiosk:
    """Signed requests of an enrolled, unrevoked kiosk only (district.auth), in every mode."""
    return await authenticated_kiosk(request)


KIOSK_ONLY = [Depends(_require_kiosk)]


def _calendar_date(value: str) -> str:
    """A YYYY-MM-DD that names a real day (the pattern alone lets 2026-02-30 and 0000-00-00 through)."""
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{value!r} is not a calendar date") from None
    return value


DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
CalendarDate = Annotated[str, Field(pattern=DATE_PATTERN), AfterValidator(_calendar_date)]


class RecordQuery(BaseModel):
    document_number: str = Field(min_length=5, max_length=32)
    months: int = Field(36, ge=1, le=120)


@router.post(f"{CITIZEN}/social-insurance/record", responses=error_responses(404, 502, 503, *SIGNED))
async def social_insurance_record(request: Request, body: RecordQuery,
                                  kiosk: AuthenticatedKiosk = Depends(_require_kiosk)) -> dict:
    """The holder's contribution record for the last `months` months (from the configured data source)."""
    return await answer_record(request, SOCIAL_INSURANCE, body.document_number, body.months, kiosk.name)


class CitizenRecordQuery(BaseModel):
    document_number: str = Field(min_length=5, max_length=32)
    months: int = Field(12, ge=1, le=60)


@router.post(f"{CITIZEN}/records/{{record_type}}", responses=error_responses(404, 502, 503, *SIGNED))
async def citizen_record(request: Request, record_type: str, body: CitizenRecordQuery,
                         kiosk: AuthenticatedKiosk = Depends(_require_kiosk)) -> dict:
    """A record for the generic record certificate (housing fund deposits, tax paid, registrations, ...)."""
    return await answer_record(request, record_type, body.document_number, body.months, kiosk.name)


class ApplicationIn(BaseModel):
    type: str = Field(min_length=1, max_length=64)
    document_number: str = Field(min_length=5, max_length=32)
    holder_name: str = Field(default="", max_length=64)
    fields: dict[str, str] = Field(default_factory=dict)
    kiosk_id: str = Field(default="", max_length=64)


@router.post(f"{CITIZEN}/applications", dependencies=KIOSK_ONLY, responses=error_responses(404, *SIGNED))
def submit_application(request: Request, body: ApplicationIn) -> dict:
    """Accept an application form; answers its application number and the promised processing time."""
    _require_demo(request)
    return demo_data.accept_application(body.type, body.document_number, body.fields)


@router.post(f"{CITIZEN}/requests", responses=error_responses(404, *SIGNED),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {"schema": {
                 "type": "object", "required": ["type", "document_number"],
                 "properties": {"type": {"type": "string"}, "document_number": {"type": "string"}}}}}}})
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


@router.get(f"{CITIZEN}/appointments/slots", dependencies=KIOSK_ONLY, responses=error_responses(404, *SIGNED))
def appointment_slots(request: Request, service: Annotated[str, Query(min_length=1, max_length=64)],
                      date: Annotated[str, Query(pattern=DATE_PATTERN), AfterValidator(_calendar_date)]) -> dict:
    """Free appointment periods of one service on one day."""
    _require_demo(request)
    return {"service": service, "date": date, "slots": demo_data.appointment_slots(service, date)}


class AppointmentIn(BaseModel):
    service: str = Field(min_length=1, max_length=64)
    document_number: str = Field(min_length=5, max_length=32)
    date: CalendarDate
    period: str = Field(min_length=1, max_length=16)
    phone: str = Field(default="", max_length=20)


@router.post(f"{CITIZEN}/appointments", dependencies=KIOSK_ONLY, responses=error_responses(404, 409, *SIGNED))
def book_appointment(request: Request, body: AppointmentIn) -> dict:
    """Book a counter appointment; 409 when the period is full or the day is closed."""
    _require_demo(request)
    booking = demo_data.book_appointment(body.service, body.document_number, body.date, body.period)
    if booking is None:
        raise HTTPException(409, "no free appointment in that period")
    return booking


class StatusQuery(BaseModel):
    type: str = Field(min_length=1, max_length=64)
    document_number: str = Field(min_length=5, max_length=32)
    reference: str = Field("", max_length=40)


@router.post(f"{CITIZEN}/status", dependencies=KIOSK_ONLY, responses=error_responses(404, *SIGNED))
def application_status(request: Request, body: StatusQuery) -> dict:
    """Progress of the holder's latest application of one type (or of `reference`)."""
    _require_demo(request)
    return demo_data.application_status(body.type, body.document_number, body.reference)

