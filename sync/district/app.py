"""The district server's ASGI application."""

from __future__ import annotations

from fastapi import FastAPI

from sync.district import citizen_api
from sync.district.settings import DistrictSettings


def create_app(settings: DistrictSettings) -> FastAPI:
    """Build the FastAPI app for `settings` (its OpenAPI document is served at /openapi.json)."""
    app = FastAPI(title="kiosk district server", version="1")
    app.state.settings = settings
    app.include_router(citizen_api.router)

    @app.get("/api/v1/health", tags=["ops"])
    def health() -> dict:
        return {"status": "ok", "demo": settings.demo}

    return app
