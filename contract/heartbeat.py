"""What a kiosk tells its district every heartbeat (`POST /api/v1/heartbeat`): backlog, versions, devices;
and what the district answers: its clock and the catalog it publishes, so a kiosk fetches a new one at once."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class CatalogRefusal(BaseModel):
    """The last catalog the kiosk's daemon refused (kept until a newer one is applied)."""

    model_config = ConfigDict(extra="ignore")
    version: int | None = None
    sha256: str | None = Field(default=None, max_length=64)
    reason: str = Field(default="", max_length=1000)
    at: str | None = None


class ServiceEvent(BaseModel):
    """A change of one out-of-service condition on the kiosk (kiosk.terminal.out_of_service.Condition values):
    raised or cleared, numbered by the kiosk so the district can tell a repeat from a new one."""

    model_config = ConfigDict(extra="ignore")
    seq: int = Field(ge=1)
    condition: str = Field(max_length=32)
    change: Literal["raised", "cleared"]
    detail: str = Field(default="", max_length=300)
    at: str | None = Field(default=None, max_length=40, description="kiosk wall clock, informational only")


class Heartbeat(BaseModel):
    model_config = ConfigDict(extra="allow")
    backlog: int | None = Field(default=None, ge=0, description="outbox rows not yet delivered")
    oldest_pending_age_s: float | None = None
    dead_letters: int | None = Field(default=None, ge=0)
    last_success: str | None = None
    last_error: str | None = None
    catalog_version: int | None = None
    catalog_expired: bool = False
    catalog_source: str | None = Field(default=None, max_length=16,
                                       description="district | shipped | override: the catalog the terminal serves")
    catalog_fallback: str | None = Field(default=None, max_length=1000,
                                         description="why the shipped catalog is served instead of the district's")
    catalog_refused: CatalogRefusal | None = None
    software_version: str | None = Field(default=None, max_length=64)
    devices: dict[str, Any] = Field(default_factory=dict, description="each device's last known state")
    out_of_service: list[str] = Field(default_factory=list, max_length=16,
                                      description="the conditions keeping the kiosk out of service now")
    service_events: list[ServiceEvent] = Field(default_factory=list, max_length=100,
                                               description="condition changes not yet acknowledged")
    # Uptimes (issue 12): absent from kiosks older than these fields.
    host_uptime_s: float | None = Field(default=None, ge=0,
                                        description="seconds since the kiosk's operating system booted "
                                                    "(/proc/uptime)")
    shell_uptime_s: float | None = Field(default=None, ge=0,
                                         description="seconds since the kiosk shell last (re)started, as of its "
                                                     "last health file (devices.at)")
    software_refused: list[Annotated[str, StringConstraints(max_length=64)]] = Field(default_factory=list, max_length=16,
                                        description="software versions the installer rolled back after a failed "
                                                    "health gate (kiosk.update)")


class PublishedCatalog(BaseModel):
    """The catalog the district publishes now (as its signed targets metadata names it)."""

    version: int
    sha256: str = Field(min_length=64, max_length=64)
    target: str | None = Field(default=None, pattern=r"^[A-Za-z0-9._-]{1,128}$",
                               description="its name in the signed targets metadata (staged rollouts offer "
                                           "catalog-<version>.json to a group first); absent: catalog.json")


class HeartbeatAnswer(BaseModel):
    """The district's answer to a heartbeat. `catalog` lets the daemon check the signed catalog at once when it
    differs from the one it runs, instead of waiting for its next poll (the answer is only a hint: what is applied
    is still verified through TUF)."""

    model_config = ConfigDict(extra="ignore")
    server_time: float
    catalog: PublishedCatalog | None = None
