"""The catalog publishing API (district.catalog_api) behind the console's authorization: any logged-in role or
API token reads; only the `catalog` permission (operator, admin) changes anything; every change is audited."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI, Request

from district.catalog_api import CatalogApiError, build_router, catalog_api_error
from district.console import audit
from district.console.guard import Identity, api_identity, require


async def _write(identity: Identity = Depends(api_identity)) -> Identity:
    require(identity, "catalog")
    return identity


def _audit(request: Request, who: Identity, action: str, target: str, details: dict[str, Any]) -> None:
    actor = who.operator.name + ("" if who.session else " (token)")
    audit.record(request.app.state.engine, actor, action, target, **details)


def install_catalog_api(app: FastAPI) -> None:
    from district.console.catalog_pages import router as pages

    app.include_router(build_router(api_identity, _write, _audit))
    app.include_router(pages)
    app.add_exception_handler(CatalogApiError, catalog_api_error)  # type: ignore[arg-type]
