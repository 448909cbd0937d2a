"""One transaction batch upload, from its signed request to its answer, on one worker thread in one database
transaction: authentication (district.auth.RequestVerifier.check), the body's validation, the item limit, the
rate-limit token and the nonce, then the batch (district.ingest.store_batch), committed together.

The endpoint used to authenticate in a transaction of its own first (a thread hop, a connection checkout with its
ping, a commit), before the batch's own. The order of the checks is the one the endpoint always had.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from fastapi import HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError
from sqlalchemy.orm import Session

from contract.log_events import Event
from contract.transactions import BatchAnswer, BatchUpload, ItemResult
from district.auth import AdmissionRefused, RateLimited, ReplayedRequest, admit
from district.citizen_requests import submit_received
from district.ingest import check_batch, store_batch


@dataclass(frozen=True)
class StoredBatch:
    kiosk: str
    results: list[ItemResult]
    answer: bytes  # the BatchAnswer's JSON


def parse_batch(raw: bytes) -> BatchUpload:
    """The body as a BatchUpload, or the RequestValidationError FastAPI would raise for it."""
    try:
        return BatchUpload.model_validate_json(raw)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


def record_batch(state: Any, method: str, path: str, headers: dict[str, str], raw: bytes) -> StoredBatch:
    """Authenticate, validate, admit and store one batch request; answer it. Raises the verifier's HTTPException
    (401/403), RequestValidationError or HTTPException 422, or AdmissionRefused (429, replay): nothing is stored
    then."""
    verifier = state.verifier
    with Session(state.engine) as s, s.begin():
        kiosk = verifier.check(s, method, path, headers, raw)
        body = parse_batch(raw)
        limit = state.settings.max_batch_items
        if len(body.items) > limit:
            raise HTTPException(422, f"batch of {len(body.items)} items exceeds the limit of {limit}")
        checked = check_batch(kiosk.name, body.items)
        try:
            admit(s, kiosk, verifier.limiter)
        except (RateLimited, ReplayedRequest) as exc:
            raise AdmissionRefused(kiosk.name, exc) from None
        now = time.time()
        results = store_batch(s, checked, now, kiosk.clock_skew_s)
    verifier.admitted(kiosk.seen_at)
    submit = getattr(state, "request_submitter", None)
    if submit is not None and any(r.result == "accepted" and isinstance(raw_item, dict)
                                  and raw_item.get("status") == "queued"
                                  for r, raw_item in zip(results, body.items, strict=True)):
        try:  # registered already (committed above); a failure here is retried by the submitter thread
            submit_received(state.engine, submit, state.eventlog)
        except Exception as exc:  # noqa: BLE001 - the batch is stored: its answer must not turn into a 500
            state.eventlog.log(Event.UNEXPECTED_ERROR, where="request-submitter", error=f"{type(exc).__name__}")
    answer = BatchAnswer(server_time=now, results=results).model_dump_json().encode()
    return StoredBatch(kiosk.name, results, answer)
