"""Citizen-data endpoints the service modules call, document signing, and the public verification page.

A production district wires the data endpoints to its departments' systems; the reference server answers them
from `demo_data` when started with `--demo`, and with 404 otherwise. Document signing and verification are real
in both modes: the district's Ed25519 document key signs certificate payloads (`POST /api/v1/documents/sign`),
its public half is served for enrollment (`GET /api/v1/documents/key`), and `GET /verify?...` is the page a
phone opens when it scans a certificate's QR code.

Every endpoint that signs or returns citizen data wants an enrolled, unrevoked kiosk's signature, demo or not.
ID numbers travel only in (signed) request bodies, never in a path or query string: URLs end up in proxy and
access logs.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import html
import os
import re
import urllib.parse
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import AfterValidator, BaseModel, Field, ValidationError

from contract.document_signing import LocalDocumentSigner, VerificationPayload, holder_hash, public_pem, verify_payload
from district import demo_data
from district.api_errors import PUBLIC, SIGNED, error_responses
from district.auth import AuthenticatedKiosk, authenticated_kiosk, limited_by_address


@contextlib.asynccontextmanager
async def _announce_document_key(app: Any):
    """At start-up, load (or create) the document key and announce its public half in the enrollment answer
    (`public_keys["document"]`, PEM), which the kiosk stores in <data>/district/keys.json."""
    _signer_for_state(app.state)
    yield


router = APIRouter(tags=["citizen data"], lifespan=_announce_document_key)
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


@router.post(f"{CITIZEN}/social-insurance/record", dependencies=KIOSK_ONLY, responses=error_responses(404, *SIGNED))
def social_insurance_record(request: Request, body: RecordQuery) -> dict:
    """The holder's contribution record for the last `months` months."""
    _require_demo(request)
    return demo_data.social_insurance_record(body.document_number, body.months)


class CitizenRecordQuery(BaseModel):
    document_number: str = Field(min_length=5, max_length=32)
    months: int = Field(12, ge=1, le=60)


@router.post(f"{CITIZEN}/records/{{record_type}}", dependencies=KIOSK_ONLY,
             responses=error_responses(404, *SIGNED))
def citizen_record(request: Request, record_type: str, body: CitizenRecordQuery) -> dict:
    """A record for the generic record certificate (housing fund deposits, tax paid, registrations, ...)."""
    _require_demo(request)
    record = demo_data.citizen_record(record_type, body.document_number, body.months)
    if record is None:
        raise HTTPException(404, f"unknown record type {record_type!r}")
    return record


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


# ---- documents: signing, public key, public verification page ----

def _document_signer(request: Request) -> LocalDocumentSigner:
    return _signer_for_state(request.app.state)


def _signer_for_state(state: Any) -> LocalDocumentSigner:
    """The district's document signer, loaded (or created) once per app and kept on app.state."""
    signer = getattr(state, "document_signer", None)
    if signer is None:
        signer = LocalDocumentSigner(_load_or_create_document_key(state.settings), state.settings.public_url)
        state.document_signer = signer
        keys = getattr(state, "enrollment_public_keys", None)
        if isinstance(keys, dict):
            keys["document"] = public_pem(signer.public_key).decode()
    return signer


def document_key_path(settings: Any) -> Path:
    """Where the district's document signing key lives: KIOSK_DISTRICT_DOCUMENT_KEY, else
    `<keys_dir>/document-signing.pem`, else beside a SQLite database file, else
    `$XDG_DATA_HOME/kiosk-district/document-signing.pem` (never the working folder: it may be a source tree)."""
    if os.environ.get("KIOSK_DISTRICT_DOCUMENT_KEY"):
        return Path(os.environ["KIOSK_DISTRICT_DOCUMENT_KEY"])
    keys_dir = getattr(settings, "keys_dir", None)
    if keys_dir:
        return Path(keys_dir) / "document-signing.pem"
    m = re.match(r"sqlite:///(.+)$", settings.db_url)
    if m and m.group(1) != ":memory:":
        return Path(m.group(1)).with_suffix(".document-signing.pem")
    data_home = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return data_home / "kiosk-district" / "document-signing.pem"


def _load_or_create_document_key(settings: Any) -> Any:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = document_key_path(settings)
    if path.is_file():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise RuntimeError(f"{path} is not an Ed25519 private key")
        return key
    key = Ed25519PrivateKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    return key


class SignIn(BaseModel):
    version: str = Field(pattern=r"^1$")
    serial: str = Field(pattern=r"^[A-Z0-9-]{8,64}$")
    holder_hash: str = Field(pattern=r"^[A-Za-z0-9_-]{43}$")
    content_hash: str = Field(pattern=r"^[A-Za-z0-9_-]{43}$")
    issued_on: str = Field(pattern=r"^\d{8}$")


@router.post("/api/v1/documents/sign", tags=["documents"], responses=error_responses(*SIGNED),
             openapi_extra={"requestBody": {"required": True, "content": {"application/json": {
                 "schema": SignIn.model_json_schema()}}}})
async def sign_document(request: Request) -> dict:
    """Sign a certificate's verification payload with the district's document key.

    Answers key_id, signature (b64url, 64 bytes) and verify_base (the public URL the QR code points to).
    """
    await _require_kiosk(request)
    try:
        body = SignIn.model_validate(await request.json())
    except (ValueError, ValidationError) as exc:  # ValidationError is a ValueError; bad JSON too
        raise HTTPException(422, f"bad sign request: {exc}"[:500]) from None
    today = dt.date.today()
    try:
        issued = dt.datetime.strptime(body.issued_on, "%Y%m%d").date()
    except ValueError:  # the pattern lets 20261399 through
        raise HTTPException(422, f"issued_on {body.issued_on!r} is not a calendar date") from None
    if abs((issued - today).days) > 1:  # a kiosk may only issue documents dated today (clock skew allowed)
        raise HTTPException(422, "issued_on must be today")
    signer = _document_signer(request)
    signed = signer.sign(VerificationPayload(serial=body.serial, holder_hash=body.holder_hash,
                                             content_hash=body.content_hash, issued_on=body.issued_on))
    return {"key_id": signed.payload.key_id, "signature": signed.payload.query()["sig"],
            "verify_base": signed.verify_base}


@router.get("/api/v1/documents/key", tags=["documents"], response_class=PlainTextResponse,
            dependencies=[Depends(limited_by_address)],
            responses={200: {"content": {"application/x-pem-file": {}}}, **error_responses(*PUBLIC)})
def document_public_key(request: Request) -> PlainTextResponse:
    """The district's PUBLIC document key (PEM, Ed25519) that kiosks store at enrollment to verify offline."""
    signer = _document_signer(request)
    pem = public_pem(signer.public_key).decode()
    return PlainTextResponse(pem, media_type="application/x-pem-file", headers={"X-Key-Id": signer.key_id})


_VERIFY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **error_responses(*PUBLIC),
    200: {"content": {"text/html": {}}, "description": "the certificate verifies"},
    400: {"content": {"text/html": {}}, "description": "the certificate does not verify (the page says why)"}}


@router.get("/verify", tags=["documents"], response_class=HTMLResponse, responses=_VERIFY_RESPONSES,
            dependencies=[Depends(limited_by_address)])
def verify_page(request: Request) -> HTMLResponse:
    """The page a phone opens when it scans a certificate: VALID / INVALID, serial, issue date."""
    return _verify_page(request, "")


@router.post("/verify", tags=["documents"], response_class=HTMLResponse, responses=_VERIFY_RESPONSES,
             dependencies=[Depends(limited_by_address)],
             openapi_extra={"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                 "type": "object", "properties": {"id_number": {"type": "string", "maxLength": 32}}}}}}})
async def verify_page_with_holder(request: Request) -> HTMLResponse:
    """The same page, also checking an ID number against the holder hash. The number comes in the form body
    (POST): in a query string it would end up in access logs."""
    try:
        form = urllib.parse.parse_qs((await request.body()).decode("utf-8", "replace"), max_num_fields=8)
    except ValueError:  # more fields than a verification form has
        raise HTTPException(422, "not a verification form") from None
    return _verify_page(request, form.get("id_number", [""])[0][:32])


def _verify_page(request: Request, id_number: str) -> HTMLResponse:
    signer = _document_signer(request)
    query = {k: v for k, v in request.query_params.items() if k != "id_number"}
    try:
        payload = VerificationPayload.from_query(query)
        result = verify_payload(payload, signer.public_key)
        valid, reason = result.valid, result.reason
    except ValueError as exc:
        payload, valid, reason = None, False, f"not a verification payload: {exc}"
    holder_line = ""
    if valid and payload is not None and id_number:
        same = holder_hash(payload.serial, id_number) == payload.holder_hash
        holder_line = ("<p class=ok>证件号码与持证人一致 The ID number matches the holder.</p>" if same else
                       "<p class=bad>证件号码与持证人不一致 The ID number does NOT match the holder.</p>")
    verdict = ("<h1 class=ok>✔ 有效 VALID</h1><p>此证明由区政务服务中心签发，内容未被篡改。"
               "This certificate was issued by the district and has not been altered.</p>" if valid else
               f"<h1 class=bad>✘ 无效 INVALID</h1><p>{html.escape(reason)}</p>")
    details = ""
    if payload is not None:
        d = payload.issued_on
        details = (f"<table><tr><th>编号 Serial</th><td>{html.escape(payload.serial)}</td></tr>"
                   f"<tr><th>出具日期 Issued</th><td>{html.escape(d[:4])}-{html.escape(d[4:6])}-"
                   f"{html.escape(d[6:])}</td></tr><tr><th>签名密钥 Key</th><td>{html.escape(payload.key_id)}"
                   f"</td></tr></table>")
        if valid:  # posted to this same URL: the payload stays in the query, the ID number goes in the body
            details += ("<form method=post><label>核对证件号码 Check an ID number "
                        "<input name=id_number maxlength=32></label> <button>核对 Check</button></form>")
    page = (f"<!doctype html><html lang=zh-CN><head><meta charset=utf-8><meta name=viewport "
            f"content='width=device-width,initial-scale=1'><title>证明验证 Certificate verification</title><style>"
            f"body{{font-family:sans-serif;margin:1.5em;max-width:40em}}.ok{{color:#17692e}}.bad{{color:#b3121d}}"
            f"th{{text-align:left;padding-right:1em}}</style></head><body>{verdict}{holder_line}{details}"
            f"</body></html>")
    return HTMLResponse(page, status_code=200 if valid else 400)
