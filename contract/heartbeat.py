"""What a kiosk tells its district every heartbeat (`POST /api/v1/heartbeat`): backlog, versions, devices."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="allow")
    backlog: int | None = Field(default=None, ge=0, description="outbox rows not yet delivered")
    oldest_pending_age_s: float | None = None
    dead_letters: int | None = Field(default=None, ge=0)
    last_success: str | None = None
    last_error: str | None = None
    catalog_version: int | None = None
    catalog_expired: bool = False
    catalog_refusal: str | None = Field(default=None, max_length=300,
                                        description="why the kiosk refused the district's latest catalog, if it did")
    software_version: str | None = Field(default=None, max_length=64)
    devices: dict[str, Any] = Field(default_factory=dict, description="each device's last known state")
