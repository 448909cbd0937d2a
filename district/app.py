"""The district server's ASGI application."""

from __future__ import annotations

import time

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse

from contract.eventlog import EventLog, NullEventLog
from district import citizen_api, document_api, sync_api
from district.api_errors import PUBLIC, error_responses, install_error_handlers
from district.auth import KioskRevoked, RequestVerifier, limited_by_address
from district.citizen_requests import demo_submitter
from district.data_sources.setup import gateway_for_settings
from district.database import migrate, open_engine
from district.limits import BodySizeLimit, JsonShapeLimit
from district.offer_cache import OfferCache
from district.rate_limits import SharedRateLimiter
from district.request_timing import ServerTiming
from district.server_time import ServerTimeHeader
from district.settings import DistrictSettings
from district.tuf_repository import TufRepository


def create_app(settings: DistrictSettings, eventlog: EventLog | None = None) -> FastAPI:
    """Build the FastAPI app for `settings` (its OpenAPI document is served at /openapi.json).

    Opens and migrates the database named by `settings.db_url`.
    """
    app = FastAPI(title="kiosk district server", version="1")
    engine = open_engine(settings.db_url)
    migrate(engine)
    app.state.settings = settings
    app.state.engine = engine
    app.state.eventlog = eventlog or NullEventLog()
    # Rate limits live in the database (district.rate_limits), like nonces: every server process shares them.
    app.state.rate_limiter = SharedRateLimiter(engine, "kiosk", settings.rate_per_s, settings.rate_burst)
    app.state.address_rate_limiter = SharedRateLimiter(engine, "address", settings.public_rate_per_s,
                                                       settings.public_rate_burst)
    app.state.verifier = RequestVerifier(engine, settings.clock_window_s, app.state.rate_limiter)
    app.state.repository = TufRepository(engine)
    app.state.offer_cache = OfferCache(app.state.repository)  # heartbeat offers, while no rollout changes
    # Who takes queued citizen requests (district.citizen_requests): the demo department in demo mode; without a
    # department connected they stay registered as `received` for staff (`kiosk-district requests list`).
    app.state.request_submitter = demo_submitter if settings.demo else None
    # Public keys the kiosk stores at enrollment (<data>/district/keys.json); other routers add theirs here.
    app.state.enrollment_public_keys = {}
    app.state.citizen_data = gateway_for_settings(
        settings, engine, lambda: document_api.authority_for_state(app.state).holder_secret)
    app.include_router(citizen_api.router)
    app.include_router(document_api.router)
    app.include_router(sync_api.router)
    from district.console.install import install_console  # the operators' console under /console (docs/console.md)

    install_console(app)
    from district.catalog_console import install_catalog_api  # catalog publishing in stages (catalog-publishing.md)

    install_catalog_api(app)
    install_error_handlers(app)
    # Outermost last: the size limit bounds what the shape check reads; both run before any route or parser.
    app.add_middleware(JsonShapeLimit, max_depth=settings.max_json_depth)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)

    @app.exception_handler(KioskRevoked)
    async def kiosk_revoked(_request: Request, exc: KioskRevoked) -> JSONResponse:
        # contract.refusal: the kiosk acts on `code` (stops sending, out of service), people read `detail`
        return JSONResponse({"detail": exc.detail, "code": exc.code}, status_code=exc.status_code)

    app.add_middleware(ServerTimeHeader)  # X-Server-Time on every answer, the 413/422 of the limits included
    app.add_middleware(ServerTiming)  # outermost: the server's own time for a kiosk API request

    @app.get("/api/v1/health", tags=["ops"], dependencies=[Depends(limited_by_address)],
             responses=error_responses(*PUBLIC))
    def health() -> dict:
        return {"status": "ok", "demo": settings.demo, "server_time": time.time()}

    return app
