"""How the district answers a refused request: one error body, rendered safely, and documented per operation.

Every refusal is `{"detail": ...}` as FastAPI writes it. Validation errors are re-rendered without the offending
input: the input may be NaN or Infinity (which strict JSON cannot carry, so echoing it made the answer itself
fail with a 500) or a citizen's ID number (which has no business travelling back).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel

DESCRIPTIONS = {
    400: "malformed request: the body cannot be parsed (not UTF-8, not JSON)",
    401: "not signed by an enrolled kiosk: signature headers missing or malformed, unknown kiosk, bad signature, "
         "stale or non-finite timestamp, replayed nonce, or a wrong enrollment token",
    403: "the kiosk is revoked",
    404: "no such resource, or no citizen data source configured",
    409: "conflict with the current state (the kiosk is enrolled with another key, the period is full)",
    413: "request body too large",
    422: "invalid request: a field fails validation, the JSON is nested too deeply or carries NaN/Infinity",
    429: "rate limit exceeded (per kiosk, or per source address for unauthenticated endpoints); see Retry-After",
    502: "the department's system answered something unusable (malformed, or it refused the district)",
    503: "the department's system is unreachable or its circuit is open; see Retry-After when given",
}


class ErrorBody(BaseModel):
    detail: str | list[dict[str, Any]]


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of an operation that can refuse with `codes`, each a JSON ErrorBody (spelled out as
    application/json: given as a `model`, FastAPI would file it under the route's own media type, e.g. HTML)."""
    content = {"application/json": {"schema": ErrorBody.model_json_schema()}}
    return {code: {"description": DESCRIPTIONS[code], "content": content} for code in codes}


# What every operation can answer whatever it does: the body limits run before any route (district.limits).
ANY_REQUEST = (400, 413, 422)
SIGNED = (401, 403, 429, *ANY_REQUEST)  # operations that require an enrolled kiosk's signature
PUBLIC = (429, *ANY_REQUEST)  # unauthenticated operations: rate-limited per source address


def _safe_error(error: dict[str, Any]) -> dict[str, Any]:
    return {"type": str(error.get("type", "")), "loc": [str(p) for p in error.get("loc", ())],
            "msg": str(error.get("msg", ""))}


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    return JSONResponse({"detail": [_safe_error(e) for e in exc.errors()[:20]]}, status_code=422)


def install_error_handlers(app: FastAPI) -> None:
    """Render validation errors without their input (see the module docstring)."""
    app.add_exception_handler(RequestValidationError, _validation_error)  # type: ignore[arg-type]
