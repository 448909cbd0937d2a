"""Document endpoints: signing (and registering) certificates, the public document keys, the keyed holder digest,
and the public verification page a phone opens when it scans a certificate's QR code.

The district signs only what it registers: the kiosk sends the certificate's whole content and the holder's ID
number in the signed body; the district hashes the content, derives the holder digest with its own secret, signs,
and records the document (district.document_register) before answering.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from contract.document_signing import (
    KEY_PATH,
    SIGN_PATH,
    LocalDocumentSigner,
    SignRequest,
    VerificationPayload,
    b64u,
    holder_hash,
    payload_for,
    public_pem,
    verify_payload,
)
from contract.privacy import HOLDER_DIGEST_PATH, holder_digest, mask_name
from district import document_register as register
from district.api_errors import PUBLIC, SIGNED, error_responses
from district.auth import authenticated_kiosk, limited_by_address
from district.document_keys import (
    document_key_path,
    holder_secret_path,
    load_or_create_holder_secret,
    load_or_create_signing_key,
    retired_public_keys,
)
from district.verification_page import PageVerdict, render_verification_page

MAX_CONTENT_BYTES = 64 * 1024  # a certificate's content (36 table rows, notes) is ~4 KB
MAX_CONTENT_DEPTH = 4  # content is {key: str | [[str, ...], ...]}: three levels deep


@dataclass
class DocumentAuthority:
    """The district's document keys, loaded once per app: the signer, the retired public keys, the holder secret."""

    signer: LocalDocumentSigner
    holder_secret: bytes
    retired: dict[str, Any]

    def keyring(self) -> dict[str, Any]:
        """Every public key whose signatures still count: the current one and the retired ones, by key id."""
        return {**self.retired, self.signer.key_id: self.signer.public_key}


def authority_for_state(state: Any) -> DocumentAuthority:
    """The app's DocumentAuthority (created on first use and kept on app.state)."""
    authority = getattr(state, "document_authority", None)
    if authority is None:
        key_path = document_key_path(state.settings)
        secret = load_or_create_holder_secret(holder_secret_path(state.settings))
        authority = DocumentAuthority(
            signer=LocalDocumentSigner(load_or_create_signing_key(key_path), state.settings.public_url, secret),
            holder_secret=secret, retired=retired_public_keys(key_path))
        state.document_authority = authority
        keys = getattr(state, "enrollment_public_keys", None)
        if isinstance(keys, dict):
            keys["document"] = public_pem(authority.signer.public_key).decode()
    return authority


@contextlib.asynccontextmanager
async def _load_document_keys(app: Any):
    """At start-up, load (or create) the document keys and announce the public signing key in the enrollment
    answer (`public_keys["document"]`, PEM), which the kiosk stores in <data>/district/keys.json."""
    authority_for_state(app.state)
    yield


router = APIRouter(tags=["documents"], lifespan=_load_document_keys)


async def _signing_kiosk(request: Request) -> str:
    """The authenticated kiosk's name (district.auth): an enrolled, unrevoked kiosk's signature is required in
    every mode, demo too (a demo server enrolls loopback kiosks without a token)."""
    return (await authenticated_kiosk(request)).name


async def _json_body(request: Request) -> Any:
    try:
        return await request.json()
    except (ValueError, RecursionError):
        raise HTTPException(422, "body is not JSON") from None


class SignIn(BaseModel):
    version: str = Field(pattern=r"^1$")
    serial: str = Field(pattern=r"^[A-Z0-9-]{8,64}$")
    item: str = Field(min_length=1, max_length=64)
    issued_on: str = Field(pattern=r"^\d{8}$")
    document_number: str = Field(min_length=5, max_length=32)
    content: dict[str, Any]


def _depth(value: Any, limit: int) -> int:
    if limit < 0:
        return 1
    if isinstance(value, dict):
        return 1 + max((_depth(v, limit - 1) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v, limit - 1) for v in value), default=0)
    return 0


def content_problem(body: SignIn) -> str | None:
    """Why `body.content` cannot be registered (None: it can): it must name the same serial, issue date and
    kiosk as the request, and stay small and shallow."""
    content = body.content
    if _depth(content, MAX_CONTENT_DEPTH) > MAX_CONTENT_DEPTH:
        return f"content nests deeper than {MAX_CONTENT_DEPTH} levels"
    try:  # NaN and Infinity parse as JSON here but are not JSON: no database stores them
        size = len(json.dumps(content, allow_nan=False, ensure_ascii=False, separators=(",", ":")).encode())
    except (TypeError, ValueError):
        return "content is not plain JSON (NaN or Infinity)"
    if size > MAX_CONTENT_BYTES:
        return f"content is larger than {MAX_CONTENT_BYTES} bytes"
    for key in ("serial", "issued_on", "kiosk_id", "kind", "title_zh"):
        if not isinstance(content.get(key), str) or not content[key]:
            return f"content.{key} missing"
    if content["serial"] != body.serial:
        return "content.serial is not the request's serial"
    if content["issued_on"].replace("-", "") != body.issued_on:
        return "content.issued_on is not the request's issue date"
    if not isinstance(content.get("holder_name", ""), str):
        return "content.holder_name must be a string"
    return None


def _json_request_body(model: type[BaseModel]) -> dict[str, Any]:
    """`openapi_extra` documenting the JSON body of a handler that validates it itself (after authentication)."""
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": model.model_json_schema()}}}}


@router.post(SIGN_PATH, responses=error_responses(409, *SIGNED), openapi_extra=_json_request_body(SignIn))
async def sign_document(request: Request) -> dict:
    """Sign and register a certificate. The body carries its whole content and the holder's ID number; the district
    hashes the content and derives the keyed holder digest itself, so it never signs a hash it did not compute.

    Answers key_id, signature (b64url, 64 bytes), verify_base (the public URL the QR code points to),
    content_hash and holder_hash. 409 when the serial is registered for another document.
    """
    kiosk = await _signing_kiosk(request)
    try:
        body = SignIn.model_validate(await _json_body(request))
    except ValidationError as exc:
        raise HTTPException(422, f"bad sign request: {exc}"[:500]) from None
    try:
        issued = dt.datetime.strptime(body.issued_on, "%Y%m%d").date()
    except ValueError:
        raise HTTPException(422, "issued_on is not a date (YYYYMMDD)") from None
    if abs((issued - dt.date.today()).days) > 1:  # a kiosk may only issue documents dated today (clock skew allowed)
        raise HTTPException(422, "issued_on must be today")
    problem = content_problem(body)
    if problem:
        raise HTTPException(422, problem)
    if kiosk is not None and body.content["kiosk_id"] != kiosk:
        raise HTTPException(422, f"content.kiosk_id is not the signing kiosk {kiosk!r}")
    authority = authority_for_state(request.app.state)
    request_ = SignRequest(serial=body.serial, item=body.item, issued_on=body.issued_on, content=body.content,
                           document_number=body.document_number)
    signed = authority.signer.sign_payload(payload_for(request_, authority.holder_secret)).payload
    content = register.masked_content(body.content)
    doc = register.RegisteredDocument(
        serial=body.serial, kiosk=kiosk or body.content["kiosk_id"], item=body.item, kind=body.content["kind"][:128],
        title=body.content["title_zh"][:200], issued_on=body.issued_on, issued_at=time.time(),
        content_hash=signed.content_hash, holder_hash=signed.holder_hash,
        holder_name=mask_name(str(body.content.get("holder_name", "")))[:64], content=content,
        key_id=signed.key_id, signature=b64u(signed.signature))
    try:
        stored = await run_in_threadpool(register.register_document, request.app.state.engine, doc)
    except register.SerialTaken:
        raise HTTPException(409, f"serial {body.serial} is already registered for another document") from None
    return {"key_id": stored.key_id, "signature": stored.signature, "verify_base": request.app.state.settings.public_url,
            "content_hash": stored.content_hash,
            "holder_hash": stored.holder_hash}


class HolderIn(BaseModel):
    document_number: str = Field(min_length=5, max_length=32)


@router.post(HOLDER_DIGEST_PATH, responses=error_responses(*SIGNED), openapi_extra=_json_request_body(HolderIn))
async def holder_reference(request: Request) -> dict:
    """The keyed digest a kiosk records as a transaction's `holder` (the number in the signed body, never a URL)."""
    await _signing_kiosk(request)
    try:
        body = HolderIn.model_validate(await _json_body(request))
    except ValidationError as exc:
        raise HTTPException(422, f"bad holder request: {exc}"[:500]) from None
    return {"holder": holder_digest(authority_for_state(request.app.state).holder_secret, body.document_number)}


@router.get(KEY_PATH, response_class=PlainTextResponse, dependencies=[Depends(limited_by_address)],
            responses={200: {"content": {"application/x-pem-file": {}}}, **error_responses(*PUBLIC)})
def document_public_key(request: Request) -> PlainTextResponse:
    """The district's current PUBLIC document key (PEM, Ed25519) that kiosks store at enrollment."""
    signer = authority_for_state(request.app.state).signer
    pem = public_pem(signer.public_key).decode()
    return PlainTextResponse(pem, media_type="application/x-pem-file", headers={"X-Key-Id": signer.key_id})


@router.get("/api/v1/documents/keys", dependencies=[Depends(limited_by_address)],
            responses=error_responses(*PUBLIC))
def document_public_keys(request: Request) -> dict:
    """Every public document key whose signatures still count (current and retired), PEM by key id."""
    authority = authority_for_state(request.app.state)
    return {"current": authority.signer.key_id,
            "keys": {kid: public_pem(key).decode() for kid, key in sorted(authority.keyring().items())}}


def check_certificate(request: Request, query: dict[str, str], id_number: str = "") -> PageVerdict:
    """The verdict on a scanned payload: signature (current or retired key), register entry, status, and, when
    asked, whether `id_number` is the holder's (keyed digest; failed checks per certificate are capped)."""
    state = request.app.state
    authority = authority_for_state(state)
    try:
        payload = VerificationPayload.from_query(query)
    except ValueError as exc:
        return PageVerdict("invalid", f"not a verification payload: {exc}")
    result = verify_payload(payload, authority.keyring())
    if not result.valid:
        return PageVerdict("invalid", result.reason, payload)
    doc = register.find_document(state.engine, payload.serial)
    if doc is None:
        return PageVerdict("unknown", "the district has no record of this serial", payload)
    if (doc.content_hash, doc.holder_hash, doc.issued_on, doc.key_id) != (
            payload.content_hash, payload.holder_hash, payload.issued_on, payload.key_id):
        return PageVerdict("invalid", "the payload does not match the district's record of this serial", payload)
    holder = ""
    if id_number:
        if register.holder_checks_left(state.engine, doc.serial) <= 0:
            holder = "refused"
        elif holder_hash(authority.holder_secret, doc.serial, id_number) == doc.holder_hash:
            holder = "match"
        else:
            register.count_holder_check_failure(state.engine, doc.serial)
            holder = "mismatch"
    status = "revoked" if doc.status == register.REVOKED else "valid"
    return PageVerdict(status, (doc.revoke_reason or "") if status == "revoked" else "registered", payload, doc,
                       holder)


STATUS_CODES = {"valid": 200, "revoked": 410, "unknown": 404, "invalid": 400}


_PAGE = {"content": {"text/html": {}}}
_VERIFY_RESPONSES: dict[int | str, dict[str, Any]] = {
    **error_responses(*PUBLIC), 200: {**_PAGE, "description": "valid"},
    400: {**_PAGE, "description": "invalid (the page says why)"}, 404: {**_PAGE, "description": "unknown serial"},
    410: {**_PAGE, "description": "revoked"}}


@router.get("/verify", response_class=HTMLResponse, responses=_VERIFY_RESPONSES,
            dependencies=[Depends(limited_by_address)])
def verify_page(request: Request) -> HTMLResponse:
    """The page a phone opens when it scans a certificate: the status (valid / revoked / unknown serial / invalid)
    and the registered content to compare with the paper, in Chinese and English."""
    verdict = check_certificate(request, dict(request.query_params))
    return HTMLResponse(render_verification_page(verdict), status_code=STATUS_CODES[verdict.status])


@router.post("/verify", response_class=HTMLResponse, responses=_VERIFY_RESPONSES,
             dependencies=[Depends(limited_by_address)],
             openapi_extra={"requestBody": {"content": {"application/x-www-form-urlencoded": {"schema": {
                 "type": "object", "properties": {"id_number": {"type": "string", "maxLength": 32}}}}}}})
async def verify_page_holder_check(request: Request) -> HTMLResponse:
    """The same page after the holder check form: the ID number comes in the form body, never in the URL."""
    raw = (await request.body()).decode("utf-8", "replace")
    form = {k: v[0] for k, v in parse_qs(raw, keep_blank_values=True).items()}
    id_number = form.pop("id_number", "").strip()[:32]
    query = {**dict(request.query_params), **form}
    verdict = await run_in_threadpool(check_certificate, request, query, id_number)
    return HTMLResponse(render_verification_page(verdict), status_code=STATUS_CODES[verdict.status])

