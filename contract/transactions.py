"""A kiosk transaction as it travels: written into the kiosk's outbox, validated again by the district's ingest.

One model for both sides, so that a field changes once. Personal data stays out: `holder` is a keyed digest of the
document number and `summary` holds only what the district's register needs.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

TransactionStatus = Literal["completed", "queued", "failed"]
Rating = Literal["good", "bad"]


class TransactionItem(BaseModel):
    """One transaction in the outbox and in a batch upload (`POST /api/v1/transactions/batch`)."""

    # Unknown fields are kept: a newer kiosk may send what this district does not read yet.
    model_config = ConfigDict(extra="allow")
    id: str = Field(min_length=36, max_length=36, description="UUID, chosen by the kiosk")
    seq: int = Field(ge=1, description="the kiosk's monotonic transaction number")
    kiosk_id: str = Field(min_length=1, max_length=64)
    item_id: str = Field(min_length=1, max_length=64)
    module_id: str = Field(min_length=1, max_length=64)
    status: TransactionStatus
    holder: str = Field(max_length=64, description="digest of the holder's document number, never the number")
    summary: dict[str, Any]
    device_time: str = Field(max_length=40, description="kiosk clock, ISO 8601; never used for ordering")
    request: dict[str, Any] = Field(default_factory=dict, description="what a queued request needs to be served")
    tracking_number: str = Field(default="", max_length=40)
    rating: Rating | None = None


class BatchUpload(BaseModel):
    items: list[dict[str, Any]] = Field(min_length=1)


class ItemResult(BaseModel):
    id: str
    seq: int | None = None
    result: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None


class BatchAnswer(BaseModel):
    server_time: float
    results: list[ItemResult]
