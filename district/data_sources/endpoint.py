"""Answering a kiosk's record request over HTTP: who asks, which source, and the status code for each outcome.

Status codes follow what the kiosk's client does with them (kiosk.link.district_client): 404 is the district's
word (no such record, no source for that kind), 503 and 502 make it offer the citizen to queue the request.
"""

from __future__ import annotations

from fastapi import HTTPException, Request
from starlette.concurrency import run_in_threadpool

from district.data_sources.gateway import CitizenDataGateway, NoSourceForKind
from district.data_sources.interface import (
    CircuitOpen,
    RecordNotFound,
    RecordRequest,
    SourceError,
    SourceUnavailable,
)

NO_SOURCES = ("no citizen data source configured (start with --demo, or with --sources FILE: "
              "see docs/data-sources.md)")


async def answer_record(request: Request, kind: str, document_number: str, months: int, kiosk: str) -> dict:
    """The record of `kind` for the holder, from the source that serves it, or the HTTP error saying why not.

    `kiosk`: the enrolled kiosk whose signature the endpoint verified (every mode: district.auth).
    """
    gateway: CitizenDataGateway | None = getattr(request.app.state, "citizen_data", None)
    if gateway is None:
        raise HTTPException(404, NO_SOURCES)
    record_request = RecordRequest(kind=kind, document_number=document_number, months=months)
    try:
        return await run_in_threadpool(gateway.fetch, record_request, kiosk)
    except NoSourceForKind:
        raise HTTPException(404, f"no data source for record kind {kind!r}") from None
    except RecordNotFound:
        raise HTTPException(404, f"the department holds no {kind} record for this holder") from None
    except CircuitOpen as exc:
        raise HTTPException(503, f"{kind} source unavailable ({exc.detail})",
                            headers={"Retry-After": f"{max(1, round(exc.retry_after_s))}"}) from None
    except SourceUnavailable as exc:
        raise HTTPException(503, f"{kind} source unavailable ({exc.detail})") from None
    except SourceError as exc:  # malformed answer, refused credentials: the department's or the district's fault
        raise HTTPException(502, f"{kind} source failed: {exc.outcome}") from None
