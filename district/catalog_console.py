"""The catalog publishing API (district.catalog_api) behind the console's authorization: any logged-in role or
API token reads; only the `catalog` permission (operator, admin) changes anything; every change is audited."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request

from district.api_errors import error_responses
from district.catalog_api import CatalogApiError, build_router, catalog_api_error
from district.console import audit
from district.console.guard import Identity, api_identity, require

_REFUSALS = {
    400: "malformed request: the body cannot be parsed",
    401: "no credentials, or an unknown, revoked or disabled API token / session",
    403: "the role may not change the catalog, or a session POST without its X-CSRF-Token",
    404: "no catalog was published as that version",
    409: "the version is not above every version offered, or the rollout's state does not allow the step",
    413: "request body too large",
    422: "not a valid catalog (`problems`: message, field path, line), or a malformed key, group or signed answer",
    429: "more than the operator's request rate; see Retry-After",
    503: "the catalog repository cannot publish (not initialised, online keys missing)",
}
RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {**error_responses(400)[400], "description": text} for code, text in _REFUSALS.items()}


async def _write(identity: Identity = Depends(api_identity)) -> Identity:
    require(identity, "catalog")
    return identity


def _audit(request: Request, who: Identity, action: str, target: str, details: dict[str, Any]) -> None:
    actor = who.operator.name + ("" if who.session else " (token)")
    audit.record(request.app.state.engine, actor, action, target, **details)


def install_catalog_api(app: FastAPI) -> None:
    from district.console.catalog_pages import router as pages

    app.include_router(build_router(api_identity, _write, _audit, RESPONSES))
    app.include_router(pages)
    app.add_exception_handler(CatalogApiError, catalog_api_error)  # type: ignore[arg-type]
