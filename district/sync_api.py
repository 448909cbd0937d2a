"""The kiosk-facing sync endpoints: enrollment, transaction upload, heartbeat, help requests, signed catalog."""

from __future__ import annotations

import json
import re
import time
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from contract.assisted_verification import KIND as ASSISTED_KIND
from contract.assisted_verification import AssistedVerificationRequest, HelpRequestStatus
from contract.enrollment_mac import HEADER_ENROLLMENT_MAC, answer_mac
from contract.heartbeat import Heartbeat, HeartbeatAnswer
from contract.help_request import HelpRequest
from contract.log_events import Event
from contract.transactions import BatchAnswer, BatchUpload
from district import assisted_verification, heartbeats, ingest_request, kiosk_registry
from district.api_errors import PUBLIC, SIGNED, error_responses
from district.auth import (
    AdmissionRefused,
    AuthenticatedKiosk,
    KioskRevoked,
    authenticated_kiosk,
    limited_by_address,
    log_refused,
    refusal_answer,
    signed_path,
    source_address,
)
from district.models import HelpRequestRow

router = APIRouter(prefix="/api/v1", tags=["sync"])

_METADATA = re.compile(r"^(?:([1-9][0-9]{0,9})\.)?(root|timestamp|snapshot|targets)\.json$")
_TARGET = re.compile(r"^([0-9a-f]{64})\.([A-Za-z0-9._-]{1,128})$")
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


class EnrollRequest(BaseModel):
    kiosk_id: str = Field(min_length=1, max_length=64)
    public_key: str = Field(min_length=64, max_length=64, description="Ed25519 public key, raw, hex")
    token: str | None = Field(default=None, max_length=128)


class EnrollAnswer(BaseModel):
    kiosk_id: str
    already_enrolled: bool
    server_time: float
    tuf_root: dict[str, Any] | None = Field(description="the catalog repository's root metadata to pin")
    public_keys: dict[str, Any] = Field(description="other district public keys the kiosk keeps")


_ENROLL_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"headers": {HEADER_ENROLLMENT_MAC: {
        "description": "HMAC-SHA256 (hex) of the whole answer body under a key derived from the enrollment token "
                       "(contract.enrollment_mac); absent when no token was sent (demo server, loopback)",
        "schema": {"type": "string"}}}},
    **error_responses(401, 403, 409, *PUBLIC),
}


@router.post("/enroll", response_model=EnrollAnswer, responses=_ENROLL_RESPONSES,
             dependencies=[Depends(limited_by_address)])
def enroll(body: EnrollRequest, request: Request) -> Response:
    """Bind the kiosk's public key to its name with a one-time token (demo servers: loopback needs none).

    The answer is authenticated with the token (`X-Enrollment-Mac`), so the kiosk pins the TUF root and keys it
    carries only if they come from the district that issued its token. A kiosk already enrolled with another key
    is refused (409): re-keying is an operator's decision, never an effect of enrollment.
    """
    state = request.app.state
    demo_loopback = state.settings.demo and source_address(request) in LOOPBACK
    try:
        done = kiosk_registry.enroll(state.engine, body.kiosk_id, body.public_key, body.token, demo_loopback)
    except kiosk_registry.EnrollmentRefused as exc:
        state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=exc.status, reason=exc.reason, path="enroll")
        if exc.code == KioskRevoked.code:
            raise KioskRevoked(body.kiosk_id) from None
        raise HTTPException(exc.status, exc.reason) from None
    assisted_verification.announce_key(state)
    root = state.repository.metadata("root")
    answer = EnrollAnswer(kiosk_id=done.name, already_enrolled=done.already, server_time=time.time(),
                          tuf_root=json.loads(root) if root else None,
                          public_keys=dict(getattr(state, "enrollment_public_keys", {})))
    content = answer.model_dump_json().encode()  # the exact bytes the MAC covers
    headers = {HEADER_ENROLLMENT_MAC: answer_mac(body.token, content)} if body.token else {}
    return Response(content, media_type="application/json", headers=headers)


def _json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting the JSON body of a handler that validates it itself (after authentication)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


@router.post("/transactions/batch", response_model=BatchAnswer, responses=error_responses(*SIGNED),
             openapi_extra=_json_request_body(BatchUpload))
async def upload_batch(request: Request) -> Response:
    """Store a batch of transactions; idempotent by transaction id, one result per item, in request order.

    Authentication, validation, the token, the nonce and the batch run on one worker thread in one transaction
    (district.ingest_request)."""
    state = request.app.state
    raw = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        done = await run_in_threadpool(ingest_request.record_batch, state, request.method, signed_path(request),
                                       headers, raw)
    except HTTPException as exc:
        if exc.status_code in (401, 403, 429):
            log_refused(state, exc, request.url.path, headers)
        raise
    except AdmissionRefused as refused:
        raise refusal_answer(state, refused) from None
    return Response(done.answer, media_type="application/json")


@router.post("/heartbeat", response_model=HeartbeatAnswer, responses=error_responses(*SIGNED),
             openapi_extra=_json_request_body(Heartbeat))
async def heartbeat(request: Request) -> Response:
    """Record the kiosk's latest health: backlog, versions, devices; answer with the published catalog, so a
    kiosk running another one checks the signed catalog at once.

    Authentication, the body's validation, the token, the nonce, the heartbeat and a refused stage's halt run on
    one worker thread in one transaction (district.heartbeats): 5,000 kiosks beat 167 times a second."""
    state = request.app.state
    raw = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    try:
        done = await run_in_threadpool(heartbeats.record_heartbeat, state, request.method, signed_path(request),
                                       headers, raw)
    except HTTPException as exc:
        log_refused(state, exc, request.url.path, headers)
        raise
    except AdmissionRefused as refused:
        raise refusal_answer(state, refused) from None
    for change in done.beat.service_events:  # the district's record of each out-of-service condition's start and end
        state.eventlog.log(Event.SERVICE_CONDITION_RAISED if change.change == "raised"
                           else Event.SERVICE_CONDITION_CLEARED, kiosk=done.kiosk, seq=change.seq,
                           condition=change.condition, detail=change.detail, kiosk_time=change.at)
    if done.halted is not None:
        state.eventlog.log(Event.CATALOG_ROLLOUT_HALTED, version=done.halted.version, group=done.halted.group,
                           kiosk=done.kiosk, reason=done.halted.note[:300])
    return Response(done.answer, media_type="application/json")


@router.post("/help-requests", responses=error_responses(*SIGNED))
def help_request(body: HelpRequest, request: Request,
                 kiosk: AuthenticatedKiosk = Depends(authenticated_kiosk)) -> dict:
    """A citizen at `kiosk` asked for help: staff see it in the district's queue.

    An "assisted-verification" request must match its contract model (masked document number, session,
    challenge): staff decide on it and the kiosk polls `GET /help-requests/{id}` for the signed decision.
    """
    if body.kind == ASSISTED_KIND:
        try:
            AssistedVerificationRequest.model_validate(body.model_dump(mode="json", exclude_unset=True))
        except ValueError as exc:
            request.app.state.eventlog.log(Event.DISTRICT_REQUEST_REFUSED, status=422, kiosk=kiosk.name,
                                           reason="malformed assisted-verification request")
            raise HTTPException(422, f"not an assisted-verification request: {exc}") from None
    now = time.time()
    with Session(request.app.state.engine) as s, s.begin():
        row = HelpRequestRow(kiosk=kiosk.name, received_at=now, body=body.model_dump(mode="json"), state="open")
        s.add(row)
        s.flush()
        number = row.id
    return {"server_time": now, "id": number}


@router.get("/help-requests/{request_id}", response_model=HelpRequestStatus, responses=error_responses(404, *SIGNED))
def help_request_status(request_id: int, request: Request,
                        kiosk: AuthenticatedKiosk = Depends(authenticated_kiosk)) -> HelpRequestStatus:
    """The state of one of the calling kiosk's own help requests, with staff's signed decision once taken."""
    status = assisted_verification.status_for_kiosk(request.app.state.engine, request_id, kiosk.name)
    if status is None:
        raise HTTPException(404, "no such help request for this kiosk")
    return status


@router.post("/help-requests/{request_id}/withdraw", responses=error_responses(404, *SIGNED))
def withdraw_help_request(request_id: int, request: Request,
                          kiosk: AuthenticatedKiosk = Depends(authenticated_kiosk)) -> dict:
    """The citizen left before staff decided: take the request off the open queue (a decision stays as it is)."""
    state = assisted_verification.withdraw(request.app.state.engine, request_id, kiosk.name)
    if state is None:
        raise HTTPException(404, "no such help request for this kiosk")
    return {"id": request_id, "state": state.value}


@router.get("/catalog/metadata/{filename}", tags=["catalog"], response_class=Response,
            responses={200: {"content": {"application/json": {}}}, **error_responses(404, *SIGNED)})
async def catalog_metadata(filename: str, request: Request,
                           _kiosk: AuthenticatedKiosk = Depends(authenticated_kiosk)) -> Response:
    """TUF metadata: `timestamp.json`, `<version>.<role>.json` (consistent snapshots)."""
    m = _METADATA.match(filename)
    if m is None:
        raise HTTPException(404, "no such metadata")
    version = int(m.group(1)) if m.group(1) else None
    if version is None and m.group(2) != "timestamp":
        raise HTTPException(404, "only timestamp.json is served unversioned")
    body = await run_in_threadpool(request.app.state.repository.metadata, m.group(2), version)
    if body is None:
        raise HTTPException(404, "no such metadata")
    return Response(body, media_type="application/json")


@router.get("/catalog/targets/{filename}", tags=["catalog"], response_class=Response,
            responses={200: {"content": {"application/octet-stream": {}}}, **error_responses(404, *SIGNED)})
async def catalog_target(filename: str, request: Request,
                         _kiosk: AuthenticatedKiosk = Depends(authenticated_kiosk)) -> Response:
    """A published catalog file by its content hash: `<sha256>.catalog.json`."""
    m = _TARGET.match(filename)
    if m is None:
        raise HTTPException(404, "no such target")
    body = await run_in_threadpool(request.app.state.repository.target, m.group(1), m.group(2))
    if body is None:
        raise HTTPException(404, "no such target")
    return Response(body, media_type="application/octet-stream")
